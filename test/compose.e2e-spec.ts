import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
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

  it('refuses to start without the secrets it needs', async () => {
    const { ADMIN_API_KEY: _omitted, ...withoutKey } = env;
    await expect(run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { env: withoutKey })).rejects.toThrow(/ADMIN_API_KEY/);
  });
});
