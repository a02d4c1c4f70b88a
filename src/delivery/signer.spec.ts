import { Webhook } from 'standardwebhooks';
import { generateSigningSecret, signatureHeader, signingSecretProblem, signPayload } from './signer.js';

// Verification goes through the reference `standardwebhooks` library, never our own signer, so a
// bug shared by signing and checking code cannot hide itself.
function verify(secret: string, id: string, timestamp: number, body: string, signature: string): unknown {
  return new Webhook(secret).verify(body, {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  });
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe('signPayload', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const body = '{"test": 2432232314}';

  it('matches the published Standard Webhooks test vector', () => {
    expect(signPayload(secret, id, 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('produces a signature the standardwebhooks library accepts', () => {
    const ts = nowSeconds();
    expect(verify(secret, id, ts, body, signPayload(secret, id, ts, body))).toEqual({ test: 2432232314 });
  });

  it('handles unicode bodies and ids', () => {
    const ts = nowSeconds();
    const unicodeBody = JSON.stringify({ name: 'Zoë 🚀', city: 'Kraków' });
    const unicodeId = 'msg_é';
    expect(verify(secret, unicodeId, ts, unicodeBody, signPayload(secret, unicodeId, ts, unicodeBody))).toEqual({
      name: 'Zoë 🚀',
      city: 'Kraków',
    });
  });

  it('signs an empty body', () => {
    const ts = nowSeconds();
    expect(() => verify(secret, id, ts, '', signPayload(secret, id, ts, ''))).not.toThrow();
  });

  it('accepts the secret without the whsec_ prefix', () => {
    const ts = nowSeconds();
    expect(signPayload('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id, ts, body)).toBe(signPayload(secret, id, ts, body));
  });

  it('is rejected when verified with a different secret', () => {
    const ts = nowSeconds();
    const signature = signPayload(secret, id, ts, body);
    expect(() => verify(generateSigningSecret(), id, ts, body, signature)).toThrow('No matching signature found');
  });

  it.each([
    ['body', { id, body: '{"test": 2432232315}', tsOffset: 0 }],
    ['message id', { id: 'msg_other', body, tsOffset: 0 }],
    ['timestamp', { id, body, tsOffset: 1 }],
  ])('is rejected when the %s is changed', (_label, changed) => {
    const ts = nowSeconds();
    const signature = signPayload(secret, id, ts, body);
    expect(() => verify(secret, changed.id, ts + changed.tsOffset, changed.body, signature)).toThrow(
      'No matching signature found',
    );
  });

  it('has the v1,<base64 of 32 bytes> shape', () => {
    const value = signPayload(secret, id, nowSeconds(), body);
    expect(value).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(value.slice(3), 'base64')).toHaveLength(32);
  });

  it.each([1.5, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses timestamp %p', (ts) => {
    expect(() => signPayload(secret, id, ts, body)).toThrow(RangeError);
  });

  it.each(['whsec_', '', 'whsec_!!!!'])('refuses secret %p that decodes to no key', (bad) => {
    expect(() => signPayload(bad, id, 1614265330, body)).toThrow('empty key');
  });
});

describe('generateSigningSecret', () => {
  it('is whsec_ followed by base64 of 24 bytes', () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(24);
  });

  it('returns a different secret every time', () => {
    const secrets = new Set(Array.from({ length: 50 }, () => generateSigningSecret()));
    expect(secrets.size).toBe(50);
  });

  it('round-trips through the standardwebhooks library', () => {
    const secret = generateSigningSecret();
    const ts = nowSeconds();
    const payload = '{"ok":true}';
    expect(verify(secret, 'msg_1', ts, payload, signPayload(secret, 'msg_1', ts, payload))).toEqual({ ok: true });
  });
});

describe('signatureHeader', () => {
  it('signs with each secret, new first, and the library accepts either secret alone', () => {
    const [fresh, old] = [generateSigningSecret(), generateSigningSecret()];
    const ts = nowSeconds();
    const header = signatureHeader([fresh, old], 'msg_1', ts, '{"a":1}');
    expect(header.split(' ')).toEqual([signPayload(fresh, 'msg_1', ts, '{"a":1}'), signPayload(old, 'msg_1', ts, '{"a":1}')]);
    expect(verify(fresh, 'msg_1', ts, '{"a":1}', header)).toEqual({ a: 1 });
    expect(verify(old, 'msg_1', ts, '{"a":1}', header)).toEqual({ a: 1 });
    expect(() => verify(generateSigningSecret(), 'msg_1', ts, '{"a":1}', header)).toThrow();
  });

  it('signs with three secrets, newest first, each accepted alone by the library', () => {
    const secrets = [generateSigningSecret(), generateSigningSecret(), generateSigningSecret()];
    const ts = nowSeconds();
    const header = signatureHeader(secrets, 'msg_3', ts, '{"b":2}');
    expect(header.split(' ')).toEqual(secrets.map((secret) => signPayload(secret, 'msg_3', ts, '{"b":2}')));
    for (const secret of secrets) expect(verify(secret, 'msg_3', ts, '{"b":2}', header)).toEqual({ b: 2 });
  });
});

describe('signingSecretProblem', () => {
  it('accepts generated secrets and the spec example', () => {
    expect(signingSecretProblem(generateSigningSecret())).toBeNull();
    expect(signingSecretProblem('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBeNull();
    expect(signingSecretProblem(`whsec_${Buffer.alloc(64, 7).toString('base64')}`)).toBeNull();
  });

  it.each([
    'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    'whsec_',
    'whsec_c2hvcnQ=',
    'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La LaSw',
    'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw!',
    `whsec_${Buffer.alloc(65, 7).toString('base64')}`,
    42,
  ])('rejects %p', (secret) => {
    expect(signingSecretProblem(secret)).toBe('signing_secret must be "whsec_" followed by the base64 of 24 to 64 random bytes');
  });
});
