import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Header names and values as they came on the wire (names in their own case), alternating. */
  rawHeaders: string[];
  body: string;
  at: number;
  /** When the sink answered (undefined until then). */
  answeredAt?: number;
  /** When the client gave up on it (timed out, closed the connection) before the sink answered. */
  abandonedAt?: number;
}

/** How the sink answers a request: a status, optional headers and body, and an optional delay. */
export interface SinkReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

export type SinkBehaviour = (request: ReceivedRequest, index: number) => SinkReply;

export interface Sink {
  url: string;
  received: ReceivedRequest[];
  /**
   * When this (the test's) process's event loop stood still for longer than STALL_MS: the sink then read and
   * answered nothing, and its stamps of what came in meanwhile are late. A garbage collection of a test run's
   * big heap can take a second.
   */
  stalls: Array<{ from: number; to: number }>;
  /** Changes how later requests are answered. */
  behave(behaviour: SinkBehaviour): void;
  close(): Promise<void>;
}

/** How long the event loop must stand still to count as a stall of the sink. */
export const STALL_MS = 100;
const STALL_PROBE_MS = 10;

/** A real HTTP server on 127.0.0.1 that records every request it gets: the test's destination. */
export async function startSink(behaviour: SinkBehaviour = () => ({ status: 200, body: 'ok' })): Promise<Sink> {
  const received: ReceivedRequest[] = [];
  const stalls: Sink['stalls'] = [];
  let lastTick = Date.now();
  const probe = setInterval(() => {
    const now = Date.now();
    if (now - lastTick > STALL_MS) stalls.push({ from: lastTick, to: now });
    lastTick = now;
  }, STALL_PROBE_MS);
  probe.unref();
  let current = behaviour;
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://sink');
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      const index = received.push(request) - 1;
      res.once('close', () => {
        if (request.answeredAt === undefined) request.abandonedAt = Date.now();
      });
      const reply = current(request, index);
      const send = () => {
        if (res.destroyed) return;
        request.answeredAt = Date.now();
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send();
        }, reply.delayMs);
        timers.add(timer);
      } else send();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    stalls,
    behave(next) {
      current = next;
    },
    async close() {
      clearInterval(probe);
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
