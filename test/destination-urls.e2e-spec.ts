import request from 'supertest';
import { expectErrorShape } from './support/error-shape.js';
import { createAccount, createDestination } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Write = 'POST' | 'PUT' | 'PATCH';
const WRITES: Write[] = ['POST', 'PUT', 'PATCH'];

/**
 * Sends `url` to a destination write: POST creates a new destination of `accountId`, PUT and PATCH change
 * `existing`. Answers the response, for the caller to check.
 */
async function writeUrl(t: TestApp, write: Write, accountId: string, existingId: string, url: unknown): Promise<request.Response> {
  const fields = { url, http_method: 'POST', headers: {} };
  if (write === 'POST') return request(t.server).post('/destinations').set(t.admin).send({ account_id: accountId, ...fields });
  if (write === 'PUT') return request(t.server).put(`/destinations/${existingId}`).set(t.admin).send(fields);
  return request(t.server).patch(`/destinations/${existingId}`).set(t.admin).send({ url });
}

async function destinationCount(t: TestApp, accountId: string): Promise<number> {
  const res = await request(t.server).get(`/accounts/${accountId}/destinations`).set(t.admin).expect(200);
  return (res.body.data as unknown[]).length;
}

/** Expects a 400 with exactly one message about the url, and nothing stored or changed. */
async function expectUrlRefused(t: TestApp, write: Write, url: unknown, message: RegExp): Promise<void> {
  const account = await createAccount(t);
  const existing = await createDestination(t, account.account_id, { url: 'https://hooks.example.com/before' });
  const res = await writeUrl(t, write, account.account_id, existing.destination_id, url);
  expect([res.status, res.body]).toEqual([400, expect.anything()]);
  const messages = expectErrorShape(res.body, 400);
  expect(messages).toEqual([expect.stringMatching(message)]);
  expect(await destinationCount(t, account.account_id)).toBe(1);
  const after = await request(t.server).get(`/destinations/${existing.destination_id}`).set(t.admin).expect(200);
  expect(after.body.url).toBe('https://hooks.example.com/before');
}

describe('destination URLs are checked when they are written', () => {
  describe('in every deployment', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(async () => {
      await t.close();
    });

    describe.each(WRITES)('%s', (write) => {
      it.each([
        // A lone surrogate is refused with the whole body, before the URL is looked at (not well-formed Unicode).
        ['http://a\ud800.com/', /lone surrogate/],
        ['https://exa\udc00mple.com', /lone surrogate/],
        ['http://[fe80::1%25eth0]/hook', /^url cannot be parsed as a URL/],
      ])('refuses the unparseable %j', async (url, message) => {
        await expectUrlRefused(t, write, url, message);
      });

      it.each(['ftp://hooks.example.com/in', 'file:///etc/passwd', 'hooks.example.com/in', 'ws://hooks.example.com/'])(
        'refuses %j, which is not http(s)',
        async (url) => {
          await expectUrlRefused(t, write, url, /^url must be an absolute http\(s\) URL$/);
        },
      );

      it.each(['http://user:secret@hooks.example.com/in', 'https://user@hooks.example.com/', 'https://:secret@hooks.example.com/'])(
        'refuses credentials in %j and says to use a header',
        async (url) => {
          await expectUrlRefused(t, write, url, /user name or password.*header/);
        },
      );

      it('refuses a url longer than 2048 characters', async () => {
        await expectUrlRefused(t, write, `https://hooks.example.com/${'a'.repeat(2048)}`, /at most 2048 characters/);
      });
    });

    it('takes private IP literals when ALLOW_PRIVATE_DESTINATIONS=true', async () => {
      const account = await createAccount(t);
      for (const url of ['http://127.0.0.1:8080/hook', 'http://[::1]/hook', 'http://169.254.169.254/', 'http://10.0.0.1/']) {
        expect((await createDestination(t, account.account_id, { url })).url).toBe(url);
      }
    });
  });

  describe('with ALLOW_PRIVATE_DESTINATIONS=false', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ ALLOW_PRIVATE_DESTINATIONS: 'false' });
    });
    afterAll(async () => {
      await t.close();
    });

    // One address of each refused range, as a URL host; the message names the range.
    const REFUSED: [string, string, string][] = [
      ['http://127.0.0.1:3000/hook', '127.0.0.1', 'loopback'],
      ['http://10.1.2.3/', '10.1.2.3', 'private'],
      ['http://172.16.0.1/', '172.16.0.1', 'private'],
      ['http://192.168.1.1/', '192.168.1.1', 'private'],
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'linkLocal'],
      ['http://100.64.0.1/', '100.64.0.1', 'carrierGradeNat'],
      ['http://0.0.0.0/', '0.0.0.0', 'unspecified'],
      ['http://224.0.0.1/', '224.0.0.1', 'multicast'],
      ['http://255.255.255.255/', '255.255.255.255', 'broadcast'],
      ['http://240.0.0.1/', '240.0.0.1', 'reserved'],
      ['http://192.0.0.8/', '192.0.0.8', 'reserved'],
      ['http://192.0.2.1/', '192.0.2.1', 'reserved'],
      ['http://198.18.0.1/', '198.18.0.1', 'reserved'],
      ['http://198.51.100.1/', '198.51.100.1', 'reserved'],
      ['http://203.0.113.1/', '203.0.113.1', 'reserved'],
      ['http://[::1]/', '::1', 'loopback'],
      ['http://[::]/', '::', 'unspecified'],
      ['http://[fd00::1]/', 'fd00::1', 'uniqueLocal'],
      ['http://[fe80::1]/', 'fe80::1', 'linkLocal'],
      ['http://[fec0::1]/', 'fec0::1', 'deprecatedSiteLocal'],
      ['http://[ff02::1]/', 'ff02::1', 'multicast'],
      ['http://[100::1]/', '100::1', 'discard'],
      ['http://[2001:db8::1]/', '2001:db8::1', 'reserved'],
      ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1', 'ipv4Mapped form of 127.0.0.1 (loopback)'],
      ['http://[::ffff:0:a9fe:a9fe]/', '::ffff:0:a9fe:a9fe', 'rfc6145 form of 169.254.169.254 (linkLocal)'],
      ['http://[64:ff9b::10.0.0.1]/', '64:ff9b::a00:1', 'rfc6052 form of 10.0.0.1 (private)'],
      ['http://[64:ff9b:1::808:808]/', '64:ff9b:1::808:808', 'rfc6052'],
      ['http://[2002:7f00:1::1]/', '2002:7f00:1::1', '6to4 form of 127.0.0.1 (loopback)'],
      ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', '2001:0:4136:e378:8000:63bf:80ff:fffe', 'teredo form of 127.0.0.1 (loopback)'],
      // The URL parser reads these legacy IPv4 spellings as 127.0.0.1; validator.js already refuses them.
      ['http://2130706433/', '', ''],
      ['http://0x7f.1/', '', ''],
    ];

    describe.each(WRITES)('%s', (write) => {
      it.each(REFUSED)('refuses %s', async (url, address, range) => {
        const expected = address
          ? new RegExp(`^url points at ${escape(address)}, which is not a public address \\(${escape(range)}.*ALLOW_PRIVATE_DESTINATIONS=true`)
          : /^url must be an absolute http\(s\) URL$/;
        await expectUrlRefused(t, write, url, expected);
      });
    });

    it.each(['https://8.8.8.8/hook', 'https://[2606:4700::1111]/hook', 'https://[::ffff:8.8.8.8]/', 'https://hooks.example.com/in', 'http://localhost/'])(
      'takes %s: public addresses, and names (checked when they are resolved)',
      async (url) => {
        const account = await createAccount(t);
        const created = await createDestination(t, account.account_id, { url });
        expect(created.url).toBe(url);
        const patched = await request(t.server).patch(`/destinations/${created.destination_id}`).set(t.admin).send({ url }).expect(200);
        expect(patched.body.url).toBe(url);
        const put = await request(t.server)
          .put(`/destinations/${created.destination_id}`)
          .set(t.admin)
          .send({ url, http_method: 'GET', headers: {} })
          .expect(200);
        expect(put.body).toMatchObject({ url, http_method: 'GET' });
      },
    );

    it('checks only a url that is given: a PATCH of other fields goes through', async () => {
      const account = await createAccount(t);
      const created = await createDestination(t, account.account_id, { url: 'https://hooks.example.com/in' });
      const patched = await request(t.server).patch(`/destinations/${created.destination_id}`).set(t.admin).send({ http_method: 'PUT' }).expect(200);
      expect(patched.body).toMatchObject({ url: 'https://hooks.example.com/in', http_method: 'PUT' });
      const stored = await request(t.server).get(`/destinations/${created.destination_id}`).set(t.admin).expect(200);
      expect(stored.body.http_method).toBe('PUT');
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
