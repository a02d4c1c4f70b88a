import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseEnvironment } from '../src/config/environment.js';
import { requireService } from './support/require-service.js';

const run = promisify(execFile);
const describeWithCompose = await requireService('docker-compose', async () => {
  await run('docker-compose', ['version']);
});

// No Docker engine runs here: the compose file is validated, not started.
describeWithCompose('docker-compose.yml', () => {
  const env = { ...process.env, ADMIN_API_KEY: 'k'.repeat(32), POSTGRES_PASSWORD: 'secret' };

  it('is valid and runs postgres, redis, one api and two workers', async () => {
    await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { env });
    const { stdout } = await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '--services'], { env });
    expect(stdout.trim().split('\n').sort()).toEqual(['api', 'postgres', 'redis', 'worker-1', 'worker-2']);
    const { stdout: resolved } = await run('docker-compose', ['-f', 'docker-compose.yml', 'config'], { env });
    expect(resolved.match(/ROLE: worker/g)).toHaveLength(2);
    expect(resolved.match(/ROLE: api/g)).toHaveLength(1);
    expect(resolved).toContain('REDIS_URL: redis://redis:6379');
  });

  it('keeps the database password out of DATABASE_URL, so any character in it works', async () => {
    const password = 'p/a@s:s#?%w';
    const { stdout } = await run('docker-compose', ['-f', 'docker-compose.yml', 'config'], { env: { ...env, POSTGRES_PASSWORD: password } });
    const urls = [...stdout.matchAll(/DATABASE_URL: (\S+)/g)].map((m) => m[1]);
    expect(urls).toHaveLength(3);
    for (const url of urls) {
      expect(url).toBe('postgres://data_pusher@postgres:5432/data_pusher');
      expect(parseEnvironment({ DATABASE_URL: url, ADMIN_API_KEY: env.ADMIN_API_KEY }).database.kind).toBe('postgres');
    }
    expect([...stdout.matchAll(/PGPASSWORD: (.+)/g)].map((m) => m[1].trim().replace(/^'|'$/g, ''))).toEqual([password, password, password]);
  });

  it('refuses to start without the secrets it needs', async () => {
    const { ADMIN_API_KEY: _omitted, ...withoutKey } = env;
    await expect(run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { env: withoutKey })).rejects.toThrow(/ADMIN_API_KEY/);
  });
});

describeWithCompose('docker-compose.rabbitmq.yml (the RabbitMQ variant)', () => {
  const file = ['-f', 'docker-compose.rabbitmq.yml'];
  const env = { ...process.env, ADMIN_API_KEY: 'k'.repeat(32), POSTGRES_PASSWORD: 'secret', RABBITMQ_PASSWORD: 'rabbit-secret' };

  it('is valid and runs postgres, rabbitmq, one api and two workers on QUEUE_URL, without Redis', async () => {
    await run('docker-compose', [...file, 'config', '-q'], { env });
    const { stdout } = await run('docker-compose', [...file, 'config', '--services'], { env });
    expect(stdout.trim().split('\n').sort()).toEqual(['api', 'postgres', 'rabbitmq', 'worker-1', 'worker-2']);
    const { stdout: resolved } = await run('docker-compose', [...file, 'config'], { env });
    expect(resolved.match(/ROLE: worker/g)).toHaveLength(2);
    expect(resolved.match(/ROLE: api/g)).toHaveLength(1);
    expect(resolved.match(/QUEUE_URL: amqp:\/\/data_pusher:rabbit-secret@rabbitmq:5672\/data-pusher/g)).toHaveLength(3);
    expect(resolved).not.toContain('REDIS_URL');
  });

  it('refuses to start without the RabbitMQ password', async () => {
    const { RABBITMQ_PASSWORD: _omitted, ...withoutPassword } = env;
    await expect(run('docker-compose', [...file, 'config', '-q'], { env: withoutPassword })).rejects.toThrow(/RABBITMQ_PASSWORD/);
  });
});
