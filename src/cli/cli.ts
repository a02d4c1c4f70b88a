import { Command, CommanderError, Option } from 'commander';
import { readFile } from 'node:fs/promises';

/** What the command line reads and writes: the process's own, or a test's. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Exit codes: 0 the message was accepted (202), 1 an error answer or no answer, 2 bad usage. */
export const EXIT_ACCEPTED = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

const DEFAULT_URL = 'http://localhost:3000';
const TIMEOUT_MS = 30_000;

/** A mistake in how the command was called: exit 2, with the reason. */
class UsageError extends Error {}

interface SendOptions {
  token?: string;
  url: string;
  eventType?: string;
  idempotencyKey?: string;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * The message's bytes, sent as they are (the server keeps them byte for byte): the argument itself when it
 * is JSON text, stdin for `-` (or no argument while stdin is not a terminal), otherwise the file it names.
 */
async function readMessage(source: string | undefined, stdin: CliIo['stdin']): Promise<Buffer> {
  if (source === undefined && stdin.isTTY) {
    throw new UsageError('no message: give the JSON as an argument, a file name, or - to read it from stdin');
  }
  if (source === undefined || source === '-') return readAll(stdin);
  if (/^\s*[{[]/.test(source)) return Buffer.from(source, 'utf8');
  try {
    return await readFile(source);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`"${source}" is neither a JSON object nor a file that can be read (${code})`);
  }
}

function ingestUrl(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`--url must be an http(s) URL such as ${DEFAULT_URL}, got "${base}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be an http(s) URL, got "${base}"`);
  // A base with a path (behind a proxy) keeps it.
  return new URL('server/incoming_data', url.href.endsWith('/') ? url.href : `${url.href}/`);
}

async function send(source: string | undefined, options: SendOptions, io: CliIo): Promise<number> {
  if (!options.token) throw new UsageError("no token: pass --token <app_secret_token> or set DATA_PUSHER_TOKEN");
  const url = ingestUrl(options.url);
  const body = await readMessage(source, io.stdin);
  const headers: Record<string, string> = { 'CL-X-TOKEN': options.token, 'Content-Type': 'application/json' };
  if (options.eventType !== undefined) headers['CL-X-EVENT-TYPE'] = options.eventType;
  if (options.idempotencyKey !== undefined) headers['Idempotency-Key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    io.stderr.write(`data-pusher: no answer from ${url.origin}: ${cause?.code ?? cause?.message ?? String(error)}\n`);
    return EXIT_ERROR;
  }
  const text = await response.text();
  if (response.status === 202) {
    io.stdout.write(`${text}\n`);
    return EXIT_ACCEPTED;
  }
  io.stderr.write(`data-pusher: HTTP ${response.status} ${response.statusText}: ${text}\n`);
  return EXIT_ERROR;
}

function program(io: CliIo, exit: (code: number) => void): Command {
  const root = new Command('data-pusher')
    .description('Command line for Data Pusher, the webhook fan-out service')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(see data-pusher --help)');
  root
    .command('send')
    .description("Send one JSON message to every destination of the token's account (POST /server/incoming_data)")
    .argument('[message]', 'the JSON object itself, a file holding it, or - to read it from stdin (the default when stdin is not a terminal)')
    .addOption(new Option('--token <token>', "the account's app secret token").env('DATA_PUSHER_TOKEN'))
    .addOption(new Option('--url <base>', 'where Data Pusher runs').env('DATA_PUSHER_URL').default(DEFAULT_URL))
    .option('--event-type <type>', 'the event type (CL-X-EVENT-TYPE): only destinations whose event_types match get it')
    .option('--idempotency-key <key>', 'a key unique per message: sent again within 24 h, it is not delivered twice')
    .addHelpText(
      'after',
      [
        '',
        'Prints the answer, {"message_id", "status": "accepted", "destinations"}, and exits 0 on 202;',
        'exits 1 on an error answer (printed on stderr) or when the server cannot be reached, 2 on bad usage.',
        '',
        'Examples:',
        '  data-pusher send --token "$TOKEN" \'{"order_id": 42}\'',
        '  DATA_PUSHER_TOKEN="$TOKEN" data-pusher send --event-type order.created order.json',
        '  curl -s https://example.com/feed.json | data-pusher send --token "$TOKEN" --idempotency-key feed-2026-01-02 -',
      ].join('\n'),
    )
    .action(async (message: string | undefined, options: SendOptions) => exit(await send(message, options, io)));
  return root;
}

/** Runs the command line and answers its exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code = EXIT_USAGE;
  try {
    await program(io, (result) => (code = result)).parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    // Help and the like end with a CommanderError too: their exit code is 0. Anything else is bad usage.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_ACCEPTED : EXIT_USAGE;
    if (error instanceof UsageError) {
      io.stderr.write(`data-pusher: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
