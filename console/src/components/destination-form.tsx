import { useState } from 'preact/hooks';
import { type Destination, HTTP_METHODS, type HttpMethod } from '../api';
import { errorsByField } from './form-errors';
import { ErrorText, Field } from './ui';

export interface DestinationFields {
  url: string;
  http_method: HttpMethod;
  headers: Record<string, string>;
  rate_limit: number | null;
  max_in_flight: number | null;
  event_types?: string[] | null;
  retry_schedule?: string | null;
}

const FIELDS = ['url', 'http_method', 'headers', 'rate_limit', 'max_in_flight', 'event_types', 'retry_schedule'];

interface HeaderRow {
  key: number;
  name: string;
  value: string;
}

let nextRowKey = 1;
const row = (name = '', value = ''): HeaderRow => ({ key: nextRowKey++, name, value });

function numberOrNull(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

/** Add or edit a destination: method, URL, headers as name/value rows, event types and limits. */
export function DestinationForm({
  initial,
  onSubmit,
  onCancel,
}: {
  initial?: Destination;
  onSubmit: (fields: DestinationFields) => Promise<void>;
  onCancel: () => void;
}) {
  const prefix = initial ? `destination-${initial.destination_id}` : 'new-destination';
  const [method, setMethod] = useState<HttpMethod>(initial?.http_method ?? 'POST');
  const [url, setUrl] = useState(initial?.url ?? '');
  const [rows, setRows] = useState<HeaderRow[]>(() => {
    const existing = Object.entries(initial?.headers ?? {}).map(([name, value]) => row(name, value));
    return existing.length ? existing : [];
  });
  const [eventTypes, setEventTypes] = useState((initial?.event_types ?? []).join(', '));
  const [rateLimit, setRateLimit] = useState(initial?.rate_limit == null ? '' : String(initial.rate_limit));
  const [maxInFlight, setMaxInFlight] = useState(initial?.max_in_flight == null ? '' : String(initial.max_in_flight));
  const [ownRetry, setOwnRetry] = useState(initial?.retry_schedule != null);
  const [retrySchedule, setRetrySchedule] = useState(initial?.retry_schedule ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const { byField, form } = errorsByField(error, FIELDS);

  const setRow = (key: number, change: Partial<HeaderRow>) => setRows(rows.map((r) => (r.key === key ? { ...r, ...change } : r)));

  const submit = async (event: Event) => {
    event.preventDefault();
    const headers: Record<string, string> = {};
    const duplicates: string[] = [];
    for (const { name, value } of rows) {
      const trimmed = name.trim();
      if (!trimmed && !value) continue;
      if (Object.keys(headers).some((existing) => existing.toLowerCase() === trimmed.toLowerCase())) duplicates.push(trimmed);
      headers[trimmed] = value;
    }
    if (duplicates.length) {
      setError(new Error(`headers: ${duplicates.join(', ')} appears more than once`));
      return;
    }
    const fields: DestinationFields = {
      url: url.trim(),
      http_method: method,
      headers,
      rate_limit: numberOrNull(rateLimit),
      max_in_flight: numberOrNull(maxInFlight),
      event_types: null,
      retry_schedule: ownRetry ? retrySchedule.trim() : null,
    };
    const types = eventTypes
      .split(/[\s,]+/)
      .map((type) => type.trim())
      .filter(Boolean);
    fields.event_types = types.length ? types : null;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(fields);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (name: string) => <ErrorText error={byField[name] && new Error(byField[name].join('; '))} />;

  return (
    <form class="panel" onSubmit={submit} aria-label={initial ? 'Edit destination' : 'Add a destination'}>
      <h3>{initial ? 'Edit destination' : 'Add a destination'}</h3>
      <div class="row">
        <Field id={`${prefix}-method`} label="Method">
          <select id={`${prefix}-method`} value={method} onChange={(event) => setMethod(event.currentTarget.value as HttpMethod)}>
            {HTTP_METHODS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </Field>
        <div class="grow">
          <Field id={`${prefix}-url`} label="URL">
            <input
              id={`${prefix}-url`}
              type="url"
              required
              placeholder="https://hooks.example.com/data-pusher"
              value={url}
              onInput={(event) => setUrl(event.currentTarget.value)}
            />
          </Field>
        </div>
      </div>
      {fieldError('url')}
      {fieldError('http_method')}

      <fieldset>
        <legend>Headers sent with every delivery</legend>
        {rows.length === 0 && <p class="hint">No headers. Credentials for the receiver go here, not in the URL.</p>}
        {rows.map((header, index) => (
          <div class="row header-row" key={header.key}>
            <label for={`${prefix}-header-name-${header.key}`} class="visually-hidden">
              Header {index + 1} name
            </label>
            <input
              id={`${prefix}-header-name-${header.key}`}
              placeholder="Name"
              value={header.name}
              onInput={(event) => setRow(header.key, { name: event.currentTarget.value })}
            />
            <label for={`${prefix}-header-value-${header.key}`} class="visually-hidden">
              Header {index + 1} value
            </label>
            <input
              id={`${prefix}-header-value-${header.key}`}
              class="grow"
              placeholder="Value"
              value={header.value}
              onInput={(event) => setRow(header.key, { value: event.currentTarget.value })}
            />
            <button type="button" class="secondary" onClick={() => setRows(rows.filter((r) => r.key !== header.key))}>
              Remove<span class="visually-hidden"> header {index + 1}</span>
            </button>
          </div>
        ))}
        <button type="button" class="secondary" onClick={() => setRows([...rows, row()])}>
          Add header
        </button>
        {fieldError('headers')}
      </fieldset>

      <Field id={`${prefix}-event-types`} label="Event types" hint="Empty: every message. Else a list: order.created, order.*, or *">
        <input
          id={`${prefix}-event-types`}
          value={eventTypes}
          onInput={(event) => setEventTypes(event.currentTarget.value)}
          aria-describedby={`${prefix}-event-types-hint`}
        />
        {fieldError('event_types')}
      </Field>
      <div class="row">
        <Field id={`${prefix}-rate-limit`} label="Rate limit (attempts per second)" hint="Empty: no limit">
          <input
            id={`${prefix}-rate-limit`}
            type="number"
            min={1}
            step={1}
            value={rateLimit}
            onInput={(event) => setRateLimit(event.currentTarget.value)}
            aria-describedby={`${prefix}-rate-limit-hint`}
          />
          {fieldError('rate_limit')}
        </Field>
        <Field id={`${prefix}-max-in-flight`} label="In-flight limit (per worker)" hint="Empty: the server default">
          <input
            id={`${prefix}-max-in-flight`}
            type="number"
            min={1}
            step={1}
            value={maxInFlight}
            onInput={(event) => setMaxInFlight(event.currentTarget.value)}
            aria-describedby={`${prefix}-max-in-flight-hint`}
          />
          {fieldError('max_in_flight')}
        </Field>
      </div>
      <div class="row">
        <label class="inline">
          <input
            id={`${prefix}-own-retry`}
            type="checkbox"
            checked={ownRetry}
            onChange={(event) => setOwnRetry(event.currentTarget.checked)}
          />{' '}
          Own retry schedule
        </label>
        <div class="grow">
          <Field
            id={`${prefix}-retry-schedule`}
            label="Retry schedule"
            hint={ownRetry ? 'Delays before each retry, e.g. 1s,10s,1m (units ms, s, m, h, d). Empty: no retry' : "The server's RETRY_SCHEDULE"}
          >
            <input
              id={`${prefix}-retry-schedule`}
              placeholder="1s,10s,1m"
              disabled={!ownRetry}
              value={ownRetry ? retrySchedule : ''}
              onInput={(event) => setRetrySchedule(event.currentTarget.value)}
              aria-describedby={`${prefix}-retry-schedule-hint`}
            />
            {fieldError('retry_schedule')}
          </Field>
        </div>
      </div>
      <ErrorText error={form.length ? new Error(form.join('; ')) : null} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : initial ? 'Save destination' : 'Add destination'}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
