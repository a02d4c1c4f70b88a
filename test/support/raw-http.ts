import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * An HTTP/1.1 client on a bare socket, for what supertest cannot do: send a request's head and hold its body
 * back, to see whether the server answers without reading it. `sendHead` writes the head; `answer` resolves
 * with the first complete answer, or rejects if none comes within `timeoutMs`.
 */
export class RawHttpConnection {
  private readonly socket: Socket;
  private received = Buffer.alloc(0);
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(port: number, host = '127.0.0.1') {
    this.socket = connect(port, host);
    this.socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.notify();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    // A reset after the answer (the server drops the unread body) is not the test's concern.
    this.socket.on('error', () => {});
  }

  sendHead(method: string, path: string, headers: Record<string, string>): void {
    const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  }

  sendBody(body: Buffer | string): void {
    this.socket.write(body);
  }

  answer(timeoutMs: number): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const parsed = parseAnswer(this.received);
        if (parsed) return finish(() => resolve(parsed));
        if (this.closed) return finish(() => reject(new Error(`connection closed without a whole answer: ${JSON.stringify(this.received.toString())}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no answer within ${timeoutMs} ms`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** The answer in `data` once its head and its Content-Length of body are all there; null until then. */
function parseAnswer(data: Buffer): RawAnswer | null {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...headerLines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = data.subarray(end + 4);
  if (body.length < length) return null;
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.subarray(0, length).toString('utf8') };
}
