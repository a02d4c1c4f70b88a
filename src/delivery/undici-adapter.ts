import { AxiosError, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig, type RawAxiosResponseHeaders } from 'axios';
import { type Dispatcher, request } from 'undici';

declare module 'axios' {
  interface AxiosRequestConfig {
    /**
     * The request's headers as they go on the wire, `[name, value, name, value, …]`, instead of `headers`.
     * axios' own header handling keeps names on an object of its own methods and groups: a destination
     * header named `constructor` or `__proto__` vanished, `get`, `post` or `common` were taken for per-method
     * groups, and `toString` or `set` broke the object. It also adds an `Accept` of its own.
     */
    wireHeaders?: string[];
  }
}

/** The first KiB of an answer is kept for the delivery log; the rest is read and dropped. */
export const RESPONSE_BODY_LIMIT = 1024;

/** Answers up to this size (by their Content-Length) are read in one go. */
const SMALL_ANSWER = 64 * 1024;

async function readHead(body: Dispatcher.ResponseData['body'], contentLength: number): Promise<string> {
  // Most receivers answer a few bytes with a Content-Length: one read, no async iteration over chunks.
  if (contentLength <= SMALL_ANSWER) return Buffer.from(await body.arrayBuffer()).subarray(0, RESPONSE_BODY_LIMIT).toString('utf8');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size >= RESPONSE_BODY_LIMIT) break;
  }
  // Reading (rather than destroying) the rest lets a small answer's connection go back to the pool.
  await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString('utf8');
}

/**
 * The request's headers as undici sends them, names in lower case: axios writes some in its own case
 * (`Content-Type`), and receivers are promised lower-case names.
 */
function flattenHeaders(headers: InternalAxiosRequestConfig['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers.toJSON())) {
    if (value !== undefined && value !== null) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}

/**
 * Whole-request time limits (axios' `timeout`) for every request in flight, checked by one timer: a timer
 * (or an AbortSignal.timeout) per request costs more than the request itself on the delivery hot path.
 */
class Deadlines {
  private readonly entries = new Map<AbortController, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly tickMs: number) {}

  start(timeoutMs: number): AbortController {
    const controller = new AbortController();
    this.entries.set(controller, performance.now() + timeoutMs);
    if (!this.timer) {
      this.timer = setInterval(() => this.expire(), this.tickMs);
      this.timer.unref();
    }
    return controller;
  }

  end(controller: AbortController): void {
    this.entries.delete(controller);
  }

  private expire(): void {
    const now = performance.now();
    for (const [controller, at] of this.entries) {
      if (at > now) continue;
      this.entries.delete(controller);
      controller.abort();
    }
    if (!this.entries.size) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

/**
 * An axios adapter on undici: HttpService keeps its interface while requests go through undici's pooled,
 * keep-alive client (several times faster than axios' own http adapter). It honours the options axios hands
 * adapters: `timeout` (the whole request, to within 25 ms), `signal`, `validateStatus`, and `wireHeaders`
 * (above) in place of `headers`; `maxRedirects` must be 0, since undici does not follow redirects (a config
 * asking for them is refused, not ignored).
 */
export function undiciAdapter(dispatcher: Dispatcher): AxiosAdapter {
  const deadlines = new Deadlines(25);
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse<string>> => {
    if (config.maxRedirects !== undefined && config.maxRedirects !== 0) {
      throw new AxiosError('the undici adapter follows no redirects: set maxRedirects to 0', AxiosError.ERR_BAD_OPTION, config);
    }
    const deadline = config.timeout ? deadlines.start(config.timeout) : null;
    const signal = deadline && config.signal ? AbortSignal.any([deadline.signal, config.signal as AbortSignal]) : (deadline?.signal ?? config.signal);
    let response: Dispatcher.ResponseData;
    let data: string;
    try {
      response = await request(config.url as string, {
        dispatcher,
        method: (config.method ?? 'get').toUpperCase() as Dispatcher.HttpMethod,
        headers: config.wireHeaders ?? flattenHeaders(config.headers),
        body: typeof config.data === 'string' && config.data !== '' ? config.data : undefined,
        signal: signal as AbortSignal | undefined,
      });
      data = await readHead(response.body, Number(response.headers['content-length'] ?? Infinity));
    } catch (error) {
      if (deadline?.signal.aborted) {
        throw new AxiosError(`timeout of ${config.timeout}ms exceeded`, AxiosError.ECONNABORTED, config, undefined, undefined);
      }
      throw error;
    } finally {
      if (deadline) deadlines.end(deadline);
    }
    // undici's names are already lower case, as axios' are; no AxiosHeaders object per answer.
    const headers: RawAxiosResponseHeaders = {};
    for (const name in response.headers) {
      const value = response.headers[name];
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const answer: AxiosResponse<string> = { data, status: response.statusCode, statusText: '', headers, config, request: undefined };
    if (config.validateStatus && !config.validateStatus(answer.status)) {
      throw new AxiosError(`Request failed with status code ${answer.status}`, AxiosError.ERR_BAD_RESPONSE, config, undefined, answer);
    }
    return answer;
  };
}
