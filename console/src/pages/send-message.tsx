import { useRef, useState } from 'preact/hooks';
import { ApiError, requestText } from '../api';
import { ErrorText, Field } from '../components/ui';
import { plural } from '../format';
import { jsonObjectProblem, prettyJson } from '../json-text';
import { href } from '../router';

const EXAMPLE = `{
  "event": "console.test",
  "sent_at": "${new Date().toISOString()}"
}`;

interface Accepted {
  message_id: string;
  status: string;
  destinations: number;
}

type Input = 'payload' | 'eventType' | 'idempotencyKey';

/**
 * Which input an error answer of POST /accounts/{id}/messages is about: the headers' problems name their
 * header; any other 400 (and 413, 415) is about the body, whose `reason` says what to fix. Null: neither
 * (404 for an account deleted meanwhile, a network failure).
 */
function inputOf(error: unknown): Input | null {
  if (!(error instanceof ApiError)) return null;
  if (error.messages.some((message) => message.startsWith('CL-X-EVENT-TYPE'))) return 'eventType';
  if (error.messages.some((message) => message.startsWith('Idempotency-Key'))) return 'idempotencyKey';
  return [400, 413, 415].includes(error.status) ? 'payload' : null;
}

/** Sends a message on the account's behalf (POST /accounts/{id}/messages), as its sender would. */
export function SendMessageTab({ accountId }: { accountId: string }) {
  const [payload, setPayload] = useState(EXAMPLE);
  const [eventType, setEventType] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [accepted, setAccepted] = useState<{ answer: Accepted; text: string } | null>(null);
  const editor = useRef<HTMLTextAreaElement>(null);
  const problem = jsonObjectProblem(payload);
  const errorInput = inputOf(error);
  // "Invalid Data" and its reason read as one sentence next to the field.
  const errorAt = (input: Input | null) =>
    error && errorInput === input ? (input && error instanceof ApiError ? new Error(error.messages.join(': ')) : error) : null;
  const edit = (set: (value: string) => void) => (event: Event) => {
    set((event.currentTarget as HTMLInputElement | HTMLTextAreaElement).value);
    setError(null);
  };

  const send = async (event: Event) => {
    event.preventDefault();
    setTried(true);
    if (problem) {
      editor.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    setAccepted(null);
    try {
      const headers: Record<string, string> = {};
      if (eventType.trim()) headers['CL-X-EVENT-TYPE'] = eventType.trim();
      if (idempotencyKey.trim()) headers['Idempotency-Key'] = idempotencyKey.trim();
      // The text as written, not re-serialized: big numbers and key order reach the destinations unchanged.
      const text = await requestText('POST', `/accounts/${encodeURIComponent(accountId)}/messages`, payload, headers);
      setAccepted({ answer: JSON.parse(text) as Accepted, text });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="send-title">
      <h2 id="send-title">Send test message</h2>
      <p class="hint">
        Sent as if the account had posted it to /server/incoming_data, to every enabled destination whose event types take it. It does not
        count against the account's ingest rate limit.
      </p>
      <form onSubmit={send} class="panel" noValidate>
        <Field id="send-payload" label="Payload (a JSON object)">
          <textarea
            id="send-payload"
            ref={editor}
            class="code"
            rows={10}
            spellcheck={false}
            autocomplete="off"
            value={payload}
            onInput={edit(setPayload)}
            aria-invalid={problem || errorInput === 'payload' ? true : undefined}
            aria-describedby="send-payload-problem"
          />
          <div class="row">
            <p id="send-payload-problem" class={problem ? 'error grow' : 'hint grow'} role={problem && tried ? 'alert' : undefined}>
              {problem ?? 'A valid JSON object: sent exactly as written.'}
            </p>
            <button type="button" class="secondary" disabled={problem !== null} onClick={() => setPayload(prettyJson(payload))}>
              Format
            </button>
          </div>
          <ErrorText error={errorAt('payload')} />
        </Field>
        <div class="row">
          <Field id="send-event-type" label="Event type (optional)" hint="Header CL-X-EVENT-TYPE, e.g. order.created">
            <input
              id="send-event-type"
              value={eventType}
              onInput={edit(setEventType)}
              aria-invalid={errorInput === 'eventType' ? true : undefined}
              aria-describedby="send-event-type-hint"
            />
            <ErrorText error={errorAt('eventType')} />
          </Field>
          <Field id="send-idempotency-key" label="Idempotency key (optional)" hint="A repeat within 24 h answers with the first message">
            <input
              id="send-idempotency-key"
              value={idempotencyKey}
              onInput={edit(setIdempotencyKey)}
              aria-invalid={errorInput === 'idempotencyKey' ? true : undefined}
              aria-describedby="send-idempotency-key-hint"
            />
            <ErrorText error={errorAt('idempotencyKey')} />
          </Field>
        </div>
        <ErrorText error={errorAt(null)} />
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Send message'}
        </button>
      </form>
      {accepted && (
        <div class="notice" role="status">
          <p>
            Accepted (202) for {plural(accepted.answer.destinations, 'destination')}
            {accepted.answer.destinations === 0 ? ': no enabled destination takes it' : ''}.{' '}
            <a href={href.message(accepted.answer.message_id)}>Open message {accepted.answer.message_id}</a>
          </p>
          <pre class="excerpt" aria-label="The answer">
            {accepted.text}
          </pre>
        </div>
      )}
    </section>
  );
}
