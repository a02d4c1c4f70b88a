import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { TestApp } from './test-app.js';

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID()}@example.com`;
}

/** An account response, including its `app_secret_token`. */
export type AccountBody = Record<string, unknown> & { account_id: string; app_secret_token: string; email: string };
export type DestinationBody = Record<string, unknown> & {
  destination_id: string;
  account_id: string;
  signing_secret: string;
  headers: Record<string, string>;
  url: string;
  http_method: string;
};

export async function createAccount(t: TestApp, fields: Record<string, unknown> = {}): Promise<AccountBody> {
  const res = await request(t.server)
    .post('/accounts')
    .set(t.admin)
    .send({ email: uniqueEmail(), account_name: 'Test account', ...fields })
    .expect(201);
  return res.body as AccountBody;
}

/**
 * A destination; by default on the loopback discard port, where nothing listens: tests send traffic to
 * 127.0.0.1 only, even for deliveries they do not look at.
 */
export async function createDestination(
  t: TestApp,
  accountId: string,
  fields: Record<string, unknown> = {},
): Promise<DestinationBody> {
  const res = await request(t.server)
    .post('/destinations')
    .set(t.admin)
    .send({ account_id: accountId, url: 'http://127.0.0.1:9/data-pusher', http_method: 'POST', headers: {}, ...fields })
    .expect(201);
  return res.body as DestinationBody;
}
