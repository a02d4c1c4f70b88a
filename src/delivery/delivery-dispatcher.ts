import { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import { AxiosError, isCancel } from 'axios';
import { isIP } from 'node:net';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { refusedRange } from './address-policy.js';
import type { AttemptResult, DeliveryJob } from './delivery-job.js';
import { ForbiddenDestinationError } from './guarded-lookup.js';
import { appendPayloadToUrl, sentQueryString } from './query-encoding.js';
import { parseRetryAfter } from './retry-policy.js';
import { signatureHeader } from './signer.js';

export const USER_AGENT = 'data-pusher/0.1.0';
export const EVENT_TYPE_HEADER = 'cl-x-event-type';
/** Headers only we set: a destination's own header of these names is not sent (it would contradict the message). */
const OUR_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature', EVENT_TYPE_HEADER];
const HEADER_TEMPLATE_CACHE = 10_000;

/** A failed attempt, thrown by the dispatcher for the worker to record and schedule. */
export class DeliveryAttemptError extends Error {
  constructor(readonly result: AttemptResult) {
    super(result.error ?? `HTTP ${result.statusCode}`);
  }
}

function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && current.cause && !(current instanceof ForbiddenDestinationError)) current = current.cause;
  return current;
}

function describe(error: unknown, timeoutMs: number): { message: string; permanent: boolean } {
  // The adapter's time limit (axios' ECONNABORTED) is the only thing that cancels a request.
  if (isCancel(error) || (error instanceof AxiosError && error.code === AxiosError.ECONNABORTED)) return { message: `timed out after ${timeoutMs} ms (DELIVERY_TIMEOUT_MS)`, permanent: false };
  const cause = rootCause(error);
  if (cause instanceof ForbiddenDestinationError) return { message: cause.message, permanent: true };
  if (cause instanceof Error) {
    if (cause.name === 'TimeoutError' || cause.name === 'AbortError' || /timeout/i.test(cause.name)) {
      return { message: `timed out after ${timeoutMs} ms (DELIVERY_TIMEOUT_MS)`, permanent: false };
    }
    const code = (cause as NodeJS.ErrnoException).code;
    return { message: code ? `${code}: ${cause.message}` : cause.message, permanent: false };
  }
  return { message: String(cause), permanent: false };
}

/**
 * Sends one delivery as the contract says: GET carries the payload as query parameters, other methods as
 * the JSON body; the destination's headers win over our defaults, the Standard Webhooks signature headers
 * and the message's event type win over everything. Resolves on 2xx, throws DeliveryAttemptError otherwise.
 */
@Injectable()
export class DeliveryDispatcher {
  private readonly headerTemplates = new Map<string, string[]>();

  constructor(
    private readonly http: HttpService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async send(job: DeliveryJob): Promise<AttemptResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const isGet = job.httpMethod === 'GET';
    const body = isGet ? '' : job.payload;
    const url = isGet ? this.getUrl(job, elapsed) : job.url;

    const refusal = this.refuseLiteralAddress(url);
    if (refusal) throw new DeliveryAttemptError({ ...refusal, durationMs: elapsed() });

    const timestamp = Math.floor(Date.now() / 1000);
    // A GET delivery's data is its query: that is what its signature covers.
    const signature = signatureHeader([job.signingSecret, ...job.previousSigningSecrets], job.messageId, timestamp, isGet ? sentQueryString(url) : body);
    const wireHeaders = this.headerTemplate(job.headersJson, isGet).concat(
      'webhook-id',
      job.messageId,
      'webhook-timestamp',
      String(timestamp),
      'webhook-signature',
      signature,
    );
    if (job.eventType !== null) wireHeaders.push(EVENT_TYPE_HEADER, job.eventType);

    let response;
    try {
      response = await this.http.axiosRef.request<string>({ url, method: job.httpMethod, wireHeaders, data: body });
    } catch (error) {
      const { message, permanent } = describe(error, this.config.deliveryTimeoutMs);
      throw new DeliveryAttemptError({
        statusCode: null,
        durationMs: elapsed(),
        error: message,
        responseBody: null,
        retryAfterMs: null,
        permanent,
      });
    }
    const statusCode = response.status;
    const result: AttemptResult = {
      statusCode,
      durationMs: elapsed(),
      error: null,
      responseBody: response.data || null,
      retryAfterMs: null,
      permanent: false,
    };
    if (statusCode >= 200 && statusCode < 300) return result;
    const retryAfter = statusCode === 429 || statusCode === 503 ? parseRetryAfter(response.headers['retry-after'] as string | undefined, new Date()) : null;
    throw new DeliveryAttemptError({ ...result, error: `HTTP ${statusCode}`, retryAfterMs: retryAfter });
  }

  /**
   * The headers every attempt to a destination starts from, as wire pairs: ours, then the destination's (lower
   * case; they win), built once per destination rather than per attempt. Keyed by the stored JSON, so an edit
   * of the destination's headers makes a new entry. A Map, because a stored name may be `__proto__`.
   */
  private headerTemplate(headersJson: string, isGet: boolean): string[] {
    const key = isGet ? `G${headersJson}` : `B${headersJson}`;
    let template = this.headerTemplates.get(key);
    if (template) return template;
    const headers = new Map([['user-agent', USER_AGENT]]);
    if (!isGet) headers.set('content-type', 'application/json');
    for (const [name, value] of Object.entries(JSON.parse(headersJson) as Record<string, string>)) {
      if (!OUR_HEADERS.includes(name.toLowerCase())) headers.set(name.toLowerCase(), value);
    }
    template = [...headers].flat();
    if (this.headerTemplates.size >= HEADER_TEMPLATE_CACHE) this.headerTemplates.clear();
    this.headerTemplates.set(key, template);
    return template;
  }

  /** The URL of a GET delivery: the payload as query parameters. */
  private getUrl(job: DeliveryJob, elapsed: () => number): string {
    try {
      return appendPayloadToUrl(job.url, job.payload);
    } catch (error) {
      // A payload stored before MAX_PAYLOAD_DEPTH existed may nest too deeply for the parse's stack: it
      // never will fit, so it is not retried.
      if (!(error instanceof RangeError)) throw error;
      const message = 'the payload nests too deeply to be sent as query parameters';
      throw new DeliveryAttemptError({ statusCode: null, durationMs: elapsed(), error: message, responseBody: null, retryAfterMs: null, permanent: true });
    }
  }

  /** A URL with an IP literal never goes through DNS, so the address guard must look at it here. */
  private refuseLiteralAddress(url: string): Omit<AttemptResult, 'durationMs'> | null {
    if (this.config.allowPrivateDestinations) return null;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    const range = isIP(host) ? refusedRange(host) : null;
    if (!range) return null;
    return {
      statusCode: null,
      error: new ForbiddenDestinationError(host, host, range).message,
      responseBody: null,
      retryAfterMs: null,
      permanent: true,
    };
  }
}
