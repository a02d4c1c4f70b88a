import { createServer } from 'node:net';

/** What to tell the user when PORT/HOST cannot be listened on; null for errors that are not about that. */
export function listenFailureMessage(error: unknown, port: number, host: string): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    return `port ${port} on ${host} is already in use (is Data Pusher already running?): set PORT to a free port, e.g. PORT=${port + 1} npm start`;
  }
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return `cannot listen on ${host}:${port} (${code}): set PORT (1024 or above) and HOST to an address of this machine`;
  }
  return null;
}

/**
 * Tries PORT/HOST before the application is loaded (seconds of work): a busy port then fails at once, not
 * after start-up. Listening for real can still lose a race; main() reports that with the same message.
 */
export function checkListenAddress(port: number, host: string): Promise<string | null> {
  if (port === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error) => resolve(listenFailureMessage(error, port, host)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}
