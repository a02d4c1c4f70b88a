import { AxiosHeaders, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { type Dispatcher, request } from 'undici';

/** The first KiB of an answer is kept for the delivery log; the rest is read and dropped. */
export const RESPONSE_BODY_LIMIT = 1024;

async function readHead(body: Dispatcher.ResponseData['body']): Promise<string> {
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

function flattenHeaders(headers: InternalAxiosRequestConfig['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(AxiosHeaders.from(headers).toJSON())) {
    if (value !== undefined && value !== null) flat[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}

/**
 * An axios adapter on undici: HttpService keeps its interface while requests go through undici's pooled,
 * keep-alive client (several times faster than axios' own http adapter). undici never follows redirects.
 */
export function undiciAdapter(dispatcher: Dispatcher): AxiosAdapter {
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse<string>> => {
    const response = await request(config.url as string, {
      dispatcher,
      method: (config.method ?? 'get').toUpperCase() as Dispatcher.HttpMethod,
      headers: flattenHeaders(config.headers),
      body: typeof config.data === 'string' && config.data !== '' ? config.data : undefined,
      signal: config.signal as AbortSignal | undefined,
    });
    const data = await readHead(response.body);
    const headers = new AxiosHeaders();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    return { data, status: response.statusCode, statusText: '', headers, config, request: undefined };
  };
}
