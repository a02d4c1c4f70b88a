import { useState } from 'preact/hooks';
import { request } from '../api';
import { ErrorText, Field } from '../components/ui';
import { FEATURES } from '../features';
import { jsonObjectProblem } from '../json-text';
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

/** Sends a message on the account's behalf (POST /accounts/{id}/messages), as its sender would. */
export function SendMessageTab({ accountId }: { accountId: string }) {
  const [payload, setPayload] = useState(EXAMPLE);
  const [eventType, setEventType] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [accepted, setAccepted] = useState<Accepted | null>(null);
  const problem = jsonObjectProblem(payload);

  if (!FEATURES.sendMessage) {
    return (
      <section aria-labelledby="send-title">
        <h2 id="send-title">Send test message</h2>
        <p>This server cannot send a message on an account's behalf yet: send one with the account's token to POST /server/incoming_data.</p>
      </section>
    );
  }

  const send = async (event: Event) => {
    event.preventDefault();
    if (problem) return;
    setBusy(true);
    setError(null);
    setAccepted(null);
    try {
      // The text as written, not re-serialized: big numbers and key order reach the destinations unchanged.
      const headers = eventType.trim() ? { 'CL-X-EVENT-TYPE': eventType.trim() } : undefined;
      setAccepted(await request<Accepted>('POST', `/accounts/${encodeURIComponent(accountId)}/messages`, payload, headers));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="send-title">
      <h2 id="send-title">Send test message</h2>
      <form onSubmit={send} class="panel">
        <Field id="send-payload" label="Payload (a JSON object)">
          <textarea
            id="send-payload"
            class="code"
            rows={10}
            spellcheck={false}
            value={payload}
            onInput={(event) => setPayload(event.currentTarget.value)}
            aria-invalid={problem ? true : undefined}
            aria-describedby="send-payload-problem"
          />
          <p id="send-payload-problem" class={problem ? 'error' : 'hint'} aria-live="polite">
            {problem ?? 'Valid JSON object.'}
          </p>
        </Field>
        {FEATURES.messageEventTypes && (
          <Field id="send-event-type" label="Event type (optional)">
            <input id="send-event-type" value={eventType} onInput={(event) => setEventType(event.currentTarget.value)} />
          </Field>
        )}
        <ErrorText error={error} />
        <button type="submit" disabled={busy || problem !== null}>
          {busy ? 'Sending…' : 'Send message'}
        </button>
      </form>
      {accepted && (
        <p class="notice" role="status">
          Accepted for {accepted.destinations} destination{accepted.destinations === 1 ? '' : 's'}:{' '}
          <a href={href.message(accepted.message_id)}>see message {accepted.message_id}</a>.
        </p>
      )}
    </section>
  );
}
