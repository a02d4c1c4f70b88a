import amqplib from 'amqplib';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { type Describe, requireService } from './require-service.js';

const run = promisify(execFile);

/** The broker the RabbitMQ tests use (guest may only log in over loopback); TEST_RABBITMQ_URL overrides it. */
export const TEST_RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** Its management API, used for vhosts when the rabbitmq_management plugin is on; rabbitmqctl otherwise. */
const MANAGEMENT_URL = process.env.TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://127.0.0.1:15672';

/** `describe` for suites that need RabbitMQ at TEST_RABBITMQ_URL (see requireService). */
export function requireRabbitMQ(url = TEST_RABBITMQ_URL): Promise<Describe> {
  return requireService(`RabbitMQ at ${url.replace(/\/\/[^@/]*@/, '//')}`, async () => {
    const connection = await amqplib.connect(url, { timeout: 3000 });
    await connection.close();
  });
}

/** A vhost of its own for one test run: queues, messages and connections shared with nobody; `drop()` deletes it. */
export interface TestVhost {
  name: string;
  /** QUEUE_URL for the processes under test. */
  url: string;
  /** Empties a queue of the vhost, as an operator's purge would. */
  purge(queue: string): Promise<void>;
  /** The queue's ready messages and consumers, as the broker counts them. */
  inspect(queue: string): Promise<{ messages: number; consumers: number }>;
  /** Runs `use` on a channel of a short connection of its own to the vhost. */
  withChannel<T>(use: (channel: amqplib.Channel) => Promise<T>): Promise<T>;
  /** Closes every client connection of the vhost from the broker's side (rabbitmqctl close_all_connections). */
  closeConnections(): Promise<void>;
  drop(): Promise<void>;
}

interface VhostAdmin {
  create(name: string, user: string): Promise<void>;
  closeConnections(name: string): Promise<void>;
  remove(name: string): Promise<void>;
}

function managementApi(user: string, password: string): VhostAdmin {
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${MANAGEMENT_URL}/api${path}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok && res.status !== 404) throw new Error(`RabbitMQ management ${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    async create(name) {
      await call('PUT', `/vhosts/${encodeURIComponent(name)}`, {});
      await call('PUT', `/permissions/${encodeURIComponent(name)}/${encodeURIComponent(user)}`, { configure: '.*', write: '.*', read: '.*' });
    },
    async closeConnections(name) {
      const connections = (await (await call('GET', `/vhosts/${encodeURIComponent(name)}/connections`)).json()) as Array<{ name: string }>;
      await Promise.all(connections.map((c) => call('DELETE', `/connections/${encodeURIComponent(c.name)}`)));
    },
    async remove(name) {
      await call('DELETE', `/vhosts/${encodeURIComponent(name)}`);
    },
  };
}

const rabbitmqctl: VhostAdmin = {
  async create(name, user) {
    await run('rabbitmqctl', ['-q', 'add_vhost', name]);
    await run('rabbitmqctl', ['-q', 'set_permissions', '-p', name, user, '.*', '.*', '.*']);
  },
  async closeConnections(name) {
    await run('rabbitmqctl', ['-q', 'close_all_connections', '--vhost', name, '--limit', '10000', 'closed by a data-pusher test']);
  },
  async remove(name) {
    await run('rabbitmqctl', ['-q', 'delete_vhost', name]);
  },
};

async function vhostAdmin(user: string, password: string): Promise<VhostAdmin> {
  try {
    const res = await fetch(`${MANAGEMENT_URL}/api/overview`, {
      headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
      signal: AbortSignal.timeout(2000),
    });
    if (res.ok) return managementApi(user, password);
  } catch {
    // No management plugin: the command line it is.
  }
  return rabbitmqctl;
}

export async function createTestVhost(prefix = 'dp-test'): Promise<TestVhost> {
  const base = new URL(TEST_RABBITMQ_URL);
  const user = decodeURIComponent(base.username || 'guest');
  const admin = await vhostAdmin(user, decodeURIComponent(base.password || 'guest'));
  const name = `${prefix}-${Date.now()}-${randomBytes(4).toString('hex')}`;
  await admin.create(name, user);
  base.pathname = `/${encodeURIComponent(name)}`;
  const url = base.toString();
  // A short connection per question: closeConnections() closes the test's own connections too.
  const withChannel = async <T>(use: (channel: amqplib.Channel) => Promise<T>): Promise<T> => {
    const connection = await amqplib.connect(url);
    try {
      return await use(await connection.createChannel());
    } finally {
      await connection.close().catch(() => undefined);
    }
  };
  return {
    name,
    url,
    withChannel,
    purge: (queue) => withChannel(async (channel) => void (await channel.purgeQueue(queue))),
    inspect: (queue) =>
      withChannel(async (channel) => {
        const { messageCount, consumerCount } = await channel.checkQueue(queue);
        return { messages: messageCount, consumers: consumerCount };
      }),
    closeConnections: () => admin.closeConnections(name),
    drop: () => admin.remove(name),
  };
}
