// The console's only way to the server: the public API, with the admin key the user signed in with.
// The key lives in this tab's sessionStorage (gone when the tab closes), and travels only in the
// Authorization header: never in a URL, a cookie or a log line.

const KEY_STORAGE = 'data-pusher.admin-key';

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY_STORAGE, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY_STORAGE);
}

/** An error answer of the API (`{statusCode, error, message}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
  ) {
    super(messages.join('; '));
  }
}

/** Called when the API says the key is no longer valid (401): the app signs out. */
let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

async function send(
  method: string,
  path: string,
  body: unknown,
  key: string | null,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, ['The server cannot be reached. Is Data Pusher running?']);
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  let messages = [`${response.status} ${response.statusText}`];
  try {
    const body = (await response.json()) as { message?: unknown; reason?: unknown };
    const message = Array.isArray(body.message) ? body.message.map(String) : body.message ? [String(body.message)] : [];
    if (typeof body.reason === 'string') message.push(body.reason);
    if (message.length) messages = message;
  } catch {
    // Not the API's JSON error shape (a proxy's page, say): the status line says enough.
  }
  return new ApiError(response.status, messages);
}

/** The answer's text as it came, for showing payloads exactly as they were received. */
export async function requestText(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<string> {
  const response = await send(method, path, body, storedKey(), headers);
  if (!response.ok) {
    if (response.status === 401) onUnauthorized();
    throw await errorOf(response);
  }
  return response.text();
}

/** `body`: a value sent as JSON, or a string sent as it is (already JSON text). */
export async function request<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const text = await requestText(method, path, body, headers);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** True if the key opens the management API, false if the server refuses it. */
export async function checkKey(key: string): Promise<boolean> {
  const response = await send('GET', '/accounts?limit=1', undefined, key);
  if (response.status === 401) return false;
  if (!response.ok) throw await errorOf(response);
  return true;
}

export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

// The shapes the console reads (see the Swagger at /docs).

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface Account {
  account_id: string;
  email: string;
  account_name: string;
  website: string | null;
  /** Ingest requests per second; null: the server's INGEST_RATE_LIMIT. */
  ingest_rate_limit: number | null;
  created_at: string;
  updated_at: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export const HTTP_METHODS: HttpMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'];

export interface Destination {
  destination_id: string;
  account_id: string;
  url: string;
  http_method: HttpMethod;
  headers: Record<string, string>;
  signing_secret: string;
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: string | null;
  rate_limit: number | null;
  max_in_flight: number | null;
  event_types?: string[] | null;
  retry_schedule?: string | null;
  previous_secret_expires_at?: string | null;
  created_at: string;
  updated_at: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface MessageSummary {
  message_id: string;
  account_id: string;
  received_at: string;
  event_type: string | null;
  status: DeliveryStatus;
  destinations: number;
  succeeded: number;
  failed: number;
  pending: number;
}

export interface Attempt {
  attempt: number;
  at: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response_body?: string | null;
}

export interface Delivery {
  delivery_id: string;
  destination_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  history: Attempt[];
}

export interface Message {
  message_id: string;
  account_id: string;
  received_at: string;
  event_type: string | null;
  payload: unknown;
  deliveries: Delivery[];
  deliveries_next_cursor: string | null;
}

export interface Overview {
  generated_at: string;
  pending: number;
  failed: number;
  attempts_per_second: Array<{ start: string; succeeded: number; failed: number }>;
  disabled_destinations: {
    count: number;
    data: Array<Pick<Destination, 'destination_id' | 'account_id' | 'url' | 'http_method' | 'disabled_reason' | 'disabled_at'>>;
  };
}
