import { randomBytes } from 'node:crypto';
import { expectEventually } from './expect-eventually.js';
import { createTestSchema, type TestSchema } from './postgres-schema.js';
import type { Describe } from './require-service.js';
import { type ServerProcess, startServerProcess } from './server-process.js';
import { startSink, type Sink } from './sink.js';

/** The contract's bound: a new message of a quiet account is delivered within this, whatever another does. */
const FAIR_DELIVERY_MS = 2_000;

/**
 * The contract's two fairness cases, for any deployment (embedded, BullMQ, RabbitMQ): each test file
 * registers them with its own way to start one.
 */
export interface Deployment {
  /** Where the management API and ingest answer. */
  url: string;
  adminKey: string;
  /** Processes that deliver, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/** The environment every fairness deployment starts with. */
export const baseEnv = (adminKey: string) => ({
  ADMIN_API_KEY: adminKey,
  ALLOW_PRIVATE_DESTINATIONS: 'true',
  DELIVERY_TIMEOUT_MS: '10000',
  RETRY_SCHEDULE: '1m',
});

async function adminPost(d: Deployment, path: string, body: unknown): Promise<Record<string, string>> {
  const res = await fetch(`${d.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${d.adminKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
}

async function ingest(d: Deployment, token: string, payload: unknown): Promise<void> {
  const res = await fetch(`${d.url}/server/incoming_data`, {
    method: 'POST',
    headers: { 'CL-X-TOKEN': token, 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
  if (res.status !== 202) throw new Error(`ingest: ${res.status} ${await res.text()}`);
}

async function account(d: Deployment, name: string, urls: string[]): Promise<string> {
  const created = await adminPost(d, '/accounts', { email: `${name}-${randomBytes(4).toString('hex')}@example.com`, account_name: name });
  for (let i = 0; i < urls.length; i += 20) {
    await Promise.all(
      urls.slice(i, i + 20).map((url) => adminPost(d, '/destinations', { account_id: created.account_id, url, http_method: 'POST', headers: {} })),
    );
  }
  return created.app_secret_token;
}

/** Sends in parallel batches, so thousands of messages queue up in seconds. */
async function ingestMany(d: Deployment, token: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, j) => ingest(d, token, { n: i + j })));
  }
}

/** B's message, sent now, must reach B's sink within the bound. */
async function expectQuietAccountServed(d: Deployment, tokenB: string, sinkB: Sink): Promise<void> {
  const before = sinkB.received.length;
  await ingest(d, tokenB, { from: 'B' });
  const sentAt = Date.now();
  try {
    await expectEventually(() => expect(sinkB.received.length).toBeGreaterThan(before), { timeoutMs: FAIR_DELIVERY_MS, intervalMs: 10 });
  } catch (error) {
    throw new Error(`B's message was not delivered within ${FAIR_DELIVERY_MS} ms (${Date.now() - sentAt} ms)\n${d.output().slice(-2000)}`, {
      cause: error,
    });
  }
}

export function fairnessCases(describeMode: Describe, mode: string, deploy: () => Promise<Deployment>): void {
  describeMode(`fairness between accounts (${mode})`, () => {
    let hanging: Sink;
    let slow: Sink;
    let healthy: Sink;
    let deployment: Deployment | undefined;

    beforeAll(async () => {
      // Never answers (until the attempt's 10 s limit); answers in 250 ms; answers at once.
      hanging = await startSink(() => ({ status: 200, delayMs: 60_000 }));
      slow = await startSink(() => ({ status: 200, delayMs: 250 }));
      healthy = await startSink();
    });
    afterEach(async () => {
      await deployment?.stop();
      deployment = undefined;
    });
    afterAll(async () => {
      await Promise.all([hanging, slow, healthy].map((sink) => sink?.close()));
    });

    it("delivers B's message within 2 s while A's 300 destinations hang with 900 deliveries", async () => {
      deployment = await deploy();
      const d = deployment;
      const tokenA = await account(d, 'A', Array.from({ length: 300 }, (_, i) => `${hanging.url}/a/${i}`));
      const tokenB = await account(d, 'B', [`${healthy.url}/b`]);
      const before = hanging.received.length;
      await ingestMany(d, tokenA, 3);
      // A's hanging attempts now hold every slot they are allowed.
      await expectEventually(() => expect(hanging.received.length - before).toBeGreaterThanOrEqual(64), { timeoutMs: 10_000 });
      await expectQuietAccountServed(d, tokenB, healthy);
    }, 120_000);

    it("delivers B's message within 2 s while one destination of A has 3,000 deliveries waiting", async () => {
      deployment = await deploy();
      const d = deployment;
      const tokenA = await account(d, 'A', [`${slow.url}/a`]);
      const tokenB = await account(d, 'B', [`${healthy.url}/b`]);
      const before = slow.received.length;
      await ingestMany(d, tokenA, 3_000);
      await expectEventually(() => expect(slow.received.length - before).toBeGreaterThan(0), { timeoutMs: 10_000 });
      await expectQuietAccountServed(d, tokenB, healthy);
    }, 150_000);
  });
}

/**
 * One api and two workers on a PostgreSQL schema of their own, connected by the queue that `queue` sets up
 * for the schema (its environment, and how to clean it up after).
 */
export async function scaleOutDeployment(
  queue: (schema: TestSchema) => Promise<{ env: Record<string, string>; cleanUp(): Promise<void> }>,
): Promise<Deployment> {
  const adminKey = randomBytes(24).toString('base64url');
  const schema = await createTestSchema('fair');
  const { env: queueEnv, cleanUp } = await queue(schema);
  const env = { ...baseEnv(adminKey), DATABASE_URL: schema.url, ...queueEnv };
  const processes: ServerProcess[] = await Promise.all([
    startServerProcess({ ...env, ROLE: 'api' }),
    startServerProcess({ ...env, ROLE: 'worker' }),
    startServerProcess({ ...env, ROLE: 'worker' }),
  ]);
  return {
    url: processes[0].url,
    adminKey,
    output: () => processes.map((p) => p.output()).join('\n'),
    async stop() {
      await Promise.all(processes.map((p) => p.kill('SIGKILL')));
      await cleanUp();
      await schema.drop();
    },
  };
}
