import { useState } from 'preact/hooks';
import { type DeliveryStatus, type MessageSummary, type Page, query, request } from '../api';
import { Pager, useCursors } from '../components/pager';
import { ErrorText, Loading, StatusBadge, UserText, useLoad } from '../components/ui';
import { formatTime } from '../format';
import { href } from '../router';

const STATUSES: Array<DeliveryStatus | ''> = ['', 'pending', 'failed', 'succeeded'];

export function MessagesTab({ accountId }: { accountId: string }) {
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [eventTypeInput, setEventTypeInput] = useState('');
  const [eventType, setEventType] = useState('');
  const pages = useCursors();
  const cursor = pages.cursor;
  // The newest page refreshes itself, so new messages and their deliveries show up as they happen.
  const messages = useLoad(
    () =>
      request<Page<MessageSummary>>(
        'GET',
        `/accounts/${encodeURIComponent(accountId)}/messages${query({ limit: 25, cursor, status, event_type: eventType })}`,
      ),
    [accountId, cursor, status, eventType],
    cursor ? undefined : 3000,
  );

  return (
    <section aria-labelledby="messages-title">
      <h2 id="messages-title">Messages</h2>
      <form
        class="row filters"
        aria-label="Filter messages"
        onSubmit={(event) => {
          event.preventDefault();
          pages.reset();
          setEventType(eventTypeInput.trim());
        }}
      >
        <label for="message-status">Status</label>
        <select
          id="message-status"
          value={status}
          onChange={(event) => {
            pages.reset();
            setStatus(event.currentTarget.value as DeliveryStatus | '');
          }}
        >
          {STATUSES.map((name) => (
            <option key={name} value={name}>
              {name || 'any'}
            </option>
          ))}
        </select>
        <label for="message-event-type">Event type</label>
        <input
          id="message-event-type"
          placeholder="order.created"
          value={eventTypeInput}
          onInput={(event) => setEventTypeInput(event.currentTarget.value)}
          aria-describedby="message-event-type-hint"
          aria-invalid={messages.error && eventType ? true : undefined}
        />
        <button type="submit" class="secondary">
          Filter
        </button>
        {eventType && (
          <button
            type="button"
            class="secondary"
            onClick={() => {
              pages.reset();
              setEventTypeInput('');
              setEventType('');
            }}
          >
            Any type
          </button>
        )}
        <small class="hint" id="message-event-type-hint">
          The exact type; empty: any.
        </small>
      </form>
      <ErrorText error={messages.error} />
      {messages.loading && !messages.data && <Loading label="Loading messages…" />}
      {messages.data && (
        <>
          <table>
            <caption class="visually-hidden">Messages, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Status</th>
                <th scope="col">Event type</th>
                <th scope="col">Deliveries</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {messages.data.data.map((message) => (
                <tr key={message.message_id}>
                  <td>{formatTime(message.received_at)}</td>
                  <td>
                    <StatusBadge status={message.status} />
                  </td>
                  <td class="break">{message.event_type === null ? '—' : <UserText text={message.event_type} />}</td>
                  <td>
                    {message.succeeded} succeeded, {message.failed} failed, {message.pending} pending
                  </td>
                  <td>
                    <a href={href.message(message.message_id)}>
                      <code>{message.message_id}</code>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {messages.data.data.length === 0 && <p>No messages{status || eventType ? ' match these filters' : ' yet'}.</p>}
          <Pager pages={pages} nextCursor={messages.data.next_cursor} label="Pages of messages" previousLabel="Newer" nextLabel="Older" />
        </>
      )}
    </section>
  );
}
