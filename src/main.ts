import 'reflect-metadata';
import { EnvironmentError, parseEnvironment } from './config/environment.js';
import { createHttpApp } from './http-app.js';

async function main(): Promise<void> {
  const config = parseEnvironment(process.env);
  const app = await createHttpApp(process.env);
  await app.listen(config.port, config.host);
}

main().catch((error: unknown) => {
  // One line that says what to fix, not a stack trace, for the mistakes a user can make.
  if (error instanceof EnvironmentError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Data Pusher failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
