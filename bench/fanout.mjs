// The delivery measures of the benchmark: a raw undici ceiling to the sink, 10-way fan-out end to end, and
// the idle end-to-end latency of one message at a time.
import { createServer } from 'node:http';
import { Pool } from 'undici';

/**
 * What Node's HTTP client alone can send to the sink: `total` POSTs of the same size as a delivery over a
 * keep-alive pool, `concurrency` at a time. The yardstick for fan-out.
 */
export async function measureCeiling(sinkUrl, payload, { total = 20_000, concurrency = 128 } = {}) {
  const pool = new Pool(sinkUrl, { connections: concurrency });
  let sent = 0;
  const worker = async () => {
    while (sent < total) {
      sent++;
      const { body } = await pool.request({ path: '/ceiling', method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
      await body.dump();
    }
  };
  // Warm the pool's connections first.
  await Promise.all(Array.from({ length: concurrency }, () => pool.request({ path: '/ceiling', method: 'GET' }).then(({ body }) => body.dump())));
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return total / seconds;
}

/**
 * 1 account × `destinations` destinations × `messages` messages: from the first ingest to the last delivery.
 * Ingest runs 32 requests at a time, as fast as the service answers.
 */
export async function measureFanOut({ service, sink, adminPost, adminKey, payload, destinations = 10, messages = 2_000, waitForCount, log }) {
  const account = await adminPost(service, adminKey, '/accounts', { email: `fanout-${Date.now()}@example.com`, account_name: 'Fan-out' });
  for (let i = 0; i < destinations; i++) {
    await adminPost(service, adminKey, '/destinations', { account_id: account.account_id, url: `${sink.url}/fan/${i}`, http_method: 'POST', headers: {} });
  }
  const client = new Pool(service.url, { connections: 32 });
  const before = await sink.count();
  const started = performance.now();
  let next = 0;
  let ingestDone = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < messages) {
        next++;
        const { statusCode, body } = await client.request({
          path: '/server/incoming_data',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'cl-x-token': account.app_secret_token },
          body: payload,
        });
        await body.dump();
        if (statusCode !== 202) throw new Error(`fan-out ingest answered ${statusCode}`);
      }
    }),
  ).then(() => (ingestDone = performance.now()));
  await client.close();
  await waitForCount(sink, before + destinations * messages, 'fan-out');
  const seconds = (performance.now() - started) / 1000;
  log(`  … fan-out: ${messages} messages ingested in ${((ingestDone - started) / 1000).toFixed(2)} s, delivered ${destinations * messages} in ${seconds.toFixed(2)} s`);
  return { deliveriesPerSecond: (destinations * messages) / seconds, ingestPerSecond: messages / ((ingestDone - started) / 1000) };
}

/** One message at a time to an idle service: from sending the ingest to its arrival at a sink (p50, p99 in ms). */
export async function measureIdleLatency({ service, adminPost, adminKey, payload, count = 300 }) {
  let arrived = () => undefined;
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.end('ok');
      arrived();
    });
  });
  await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const sinkUrl = `http://127.0.0.1:${sink.address().port}`;
  const account = await adminPost(service, adminKey, '/accounts', { email: `latency-${Date.now()}@example.com`, account_name: 'Latency' });
  await adminPost(service, adminKey, '/destinations', { account_id: account.account_id, url: `${sinkUrl}/latency`, http_method: 'POST', headers: {} });
  const client = new Pool(service.url, { connections: 1 });
  const latencies = [];
  for (let i = 0; i < count; i++) {
    const delivered = new Promise((resolve) => (arrived = resolve));
    const started = performance.now();
    const { body } = await client.request({
      path: '/server/incoming_data',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cl-x-token': account.app_secret_token },
      body: payload,
    });
    await body.dump();
    await delivered;
    latencies.push(performance.now() - started);
  }
  await client.close();
  sink.close();
  // The first ones warm the JIT and the connections.
  const measured = latencies.slice(Math.floor(count / 6)).sort((a, b) => a - b);
  return { p50: measured[Math.floor(measured.length * 0.5)], p99: measured[Math.floor(measured.length * 0.99)] };
}
