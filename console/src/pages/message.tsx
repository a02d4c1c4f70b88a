import { useState } from 'preact/hooks';
import { type Delivery, type Destination, type Message, type Page, query, request, requestText } from '../api';
import { ErrorText, Loading, StatusBadge, UserText, useLoad } from '../components/ui';
import { formatTime, plural } from '../format';
import { memberText, prettyJson } from '../json-text';
import { href } from '../router';
import { visibleControls } from '../visible-text';

interface LoadedMessage {
  message: Message;
  /** The payload's JSON text as the API sent it, indented: numbers and key order as received. */
  payloadText: string;
  destinations: Map<string, Destination>;
}

async function loadMessage(messageId: string): Promise<LoadedMessage> {
  const text = await requestText('GET', `/messages/${encodeURIComponent(messageId)}`);
  const message = JSON.parse(text) as Message;
  const raw = memberText(text, 'payload');
  const destinations = new Map<string, Destination>();
  try {
    const page = await request<Page<Destination>>('GET', `/accounts/${encodeURIComponent(message.account_id)}/destinations?limit=100`);
    for (const destination of page.data) destinations.set(destination.destination_id, destination);
  } catch {
    // Only for showing URLs next to deliveries: the ids are shown anyway.
  }
  // A raw control character in a JSON string becomes its \u escape: the same JSON, now visible.
  return { message, payloadText: raw === null ? '' : visibleControls(prettyJson(raw)), destinations };
}

export function MessagePage({ messageId }: { messageId: string }) {
  const [refresh, setRefresh] = useState(true);
  const loaded = useLoad(() => loadMessage(messageId), [messageId], refresh ? 2000 : undefined);
  const [more, setMore] = useState<Delivery[]>([]);
  const [moreCursor, setMoreCursor] = useState<string | null | undefined>(undefined);
  const [retryError, setRetryError] = useState<unknown>(null);
  const [retryNotice, setRetryNotice] = useState('');
  const [retrying, setRetrying] = useState(false);

  if (loaded.error && !loaded.data) {
    return (
      <section>
        <h1>Message</h1>
        <ErrorText error={loaded.error} />
      </section>
    );
  }
  if (!loaded.data) return <Loading label="Loading the message…" />;
  const { message, payloadText, destinations } = loaded.data;
  const deliveries = [...message.deliveries, ...more];
  const nextCursor = moreCursor === undefined ? message.deliveries_next_cursor : moreCursor;
  const failed = deliveries.filter((delivery) => delivery.status === 'failed').length;
  const pending = deliveries.some((delivery) => delivery.status === 'pending');

  const retry = async () => {
    setRetrying(true);
    setRetryError(null);
    setRetryNotice('');
    try {
      const answer = await request<{ retried: number }>('POST', `/messages/${encodeURIComponent(messageId)}/retry`);
      setRetryNotice(`${plural(answer.retried, 'failed delivery', 'failed deliveries')} queued again.`);
      setMore([]);
      setMoreCursor(undefined);
      setRefresh(true);
      await loaded.reload();
    } catch (caught) {
      setRetryError(caught);
    } finally {
      setRetrying(false);
    }
  };

  const loadMore = async () => {
    if (!nextCursor) return;
    const page = await request<Page<Delivery>>(
      'GET',
      `/messages/${encodeURIComponent(messageId)}/deliveries${query({ limit: 100, cursor: nextCursor })}`,
    );
    setMore([...more, ...page.data]);
    setMoreCursor(page.next_cursor);
  };

  return (
    <section aria-labelledby="message-title">
      <p class="crumbs">
        <a href={href.account(message.account_id, 'messages')}>Messages of the account</a> /
      </p>
      <h1 id="message-title">
        Message <code>{message.message_id}</code>
      </h1>
      <dl class="facts">
        <dt>Received</dt>
        <dd>{formatTime(message.received_at)}</dd>
        <dt>Event type</dt>
        <dd class="break" data-testid="event-type">
          {message.event_type === null ? '—' : <UserText text={message.event_type} />}
        </dd>
        <dt>Deliveries</dt>
        <dd>
          {deliveries.length}
          {nextCursor ? '+' : ''}
        </dd>
      </dl>
      <h2>Payload</h2>
      <pre class="code payload" tabIndex={0} aria-label="Payload, as received">
        {payloadText}
      </pre>

      <div class="title-row">
        <h2>Deliveries</h2>
        <div class="actions">
          <button type="button" onClick={retry} disabled={retrying || failed === 0}>
            {retrying ? 'Retrying…' : failed ? `Retry ${plural(failed, 'failed delivery', 'failed deliveries')}` : 'Retry failed deliveries'}
          </button>
          <label class="inline">
            <input type="checkbox" checked={refresh} onChange={(event) => setRefresh(event.currentTarget.checked)} /> Refresh live
          </label>
        </div>
      </div>
      <ErrorText error={retryError} />
      {retryNotice && (
        <p class="notice" role="status">
          {retryNotice}
        </p>
      )}
      {loaded.error && <ErrorText error={loaded.error} />}
      {deliveries.length === 0 && <p>No deliveries: the account had no enabled destination for this message.</p>}
      {deliveries.map((delivery) => (
        <DeliveryCard key={delivery.delivery_id} delivery={delivery} destination={destinations.get(delivery.destination_id)} />
      ))}
      {nextCursor && (
        <button type="button" class="secondary" onClick={loadMore}>
          More deliveries
        </button>
      )}
      {pending && refresh && (
        <p class="hint" role="status">
          Pending deliveries: this page refreshes itself.
        </p>
      )}
    </section>
  );
}

function DeliveryCard({ delivery, destination }: { delivery: Delivery; destination?: Destination }) {
  const titleId = `delivery-${delivery.delivery_id}`;
  return (
    <article class="panel delivery" aria-labelledby={titleId} data-delivery-id={delivery.delivery_id} data-status={delivery.status}>
      <h3 id={titleId} class="break">
        <StatusBadge status={delivery.status} />{' '}
        {destination ? (
          <>
            <span class="method">{destination.http_method}</span> <UserText text={destination.url} />
          </>
        ) : (
          <>
            destination <code>{delivery.destination_id}</code>
          </>
        )}
      </h3>
      <p>
        {plural(delivery.attempts, 'attempt')}
        {delivery.next_attempt_at && `; next attempt ${formatTime(delivery.next_attempt_at)}`}
        {delivery.last_error && (
          <>
            ; last error:{' '}
            <span class="error-text">
              <UserText text={delivery.last_error} />
            </span>
          </>
        )}
      </p>
      {delivery.history.length > 0 && (
        <table class="attempts">
          <caption class="visually-hidden">Attempts</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Status code</th>
              <th scope="col">Duration</th>
              <th scope="col">Error</th>
              <th scope="col">Response (first KiB)</th>
            </tr>
          </thead>
          <tbody>
            {delivery.history.map((attempt) => (
              <tr key={attempt.attempt}>
                <td>{attempt.attempt}</td>
                <td>{formatTime(attempt.at)}</td>
                <td>{attempt.status_code ?? '—'}</td>
                <td>{attempt.duration_ms} ms</td>
                <td class="break">{attempt.error ? <UserText text={attempt.error} /> : '—'}</td>
                <td>{attempt.response_body ? <pre class="excerpt">{visibleControls(attempt.response_body)}</pre> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}
