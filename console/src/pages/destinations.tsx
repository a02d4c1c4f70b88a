import { useState } from 'preact/hooks';
import { type Destination, type Page, query, request } from '../api';
import { DestinationForm } from '../components/destination-form';
import { Pager, useCursors } from '../components/pager';
import { ConfirmDialog, CopyButton, ErrorText, Loading, UserText, useLoad } from '../components/ui';
import { formatTime, plural, toLocalInput } from '../format';

export function DestinationsTab({ accountId }: { accountId: string }) {
  const pages = useCursors();
  const cursor = pages.cursor;
  const destinations = useLoad(
    () => request<Page<Destination>>('GET', `/accounts/${encodeURIComponent(accountId)}/destinations${query({ limit: 50, cursor })}`),
    [accountId, cursor],
  );
  const [adding, setAdding] = useState(false);

  return (
    <section aria-labelledby="destinations-title">
      <div class="title-row">
        <h2 id="destinations-title">Destinations</h2>
        {!adding && (
          <button type="button" onClick={() => setAdding(true)}>
            Add destination
          </button>
        )}
      </div>
      {adding && (
        <DestinationForm
          onCancel={() => setAdding(false)}
          onSubmit={async (fields) => {
            await request<Destination>('POST', '/destinations', { account_id: accountId, ...fields });
            setAdding(false);
            await destinations.reload();
          }}
        />
      )}
      <ErrorText error={destinations.error} />
      {destinations.loading && !destinations.data && <Loading label="Loading destinations…" />}
      {destinations.data && destinations.data.data.length === 0 && (
        <p>No destinations: messages of this account go nowhere until you add one.</p>
      )}
      {destinations.data?.data.map((destination) => (
        <DestinationCard key={destination.destination_id} destination={destination} onChanged={destinations.reload} />
      ))}
      {destinations.data && <Pager pages={pages} nextCursor={destinations.data.next_cursor} label="Pages of destinations" />}
    </section>
  );
}

function DestinationCard({ destination, onChanged }: { destination: Destination; onChanged: () => Promise<void> }) {
  const id = destination.destination_id;
  const path = `/destinations/${encodeURIComponent(id)}`;
  const [editing, setEditing] = useState(false);
  const [showSecret, setShowSecret] = useState(false);
  const [confirm, setConfirm] = useState<'delete' | 'rotate' | 'recover' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [recoverSince, setRecoverSince] = useState(() => toLocalInput(new Date(Date.now() - 24 * 3600_000)));
  const [notice, setNotice] = useState('');
  const headers = Object.entries(destination.headers);

  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await request<Destination>('PATCH', path, { enabled: !destination.enabled });
      setNotice(destination.enabled ? 'Disabled: new messages create no delivery for it.' : 'Enabled: waiting deliveries go on.');
      await onChanged();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const titleId = `destination-${id}-title`;
  return (
    <article class={`panel destination ${destination.enabled ? '' : 'is-disabled'}`} aria-labelledby={titleId} data-destination-id={id}>
      <h3 id={titleId} class="break">
        <span class="method">{destination.http_method}</span> <UserText text={destination.url} />
      </h3>
      <p>
        {destination.enabled ? (
          <span class="badge badge-succeeded">enabled</span>
        ) : (
          <>
            <span class="badge badge-failed">disabled</span>{' '}
            <span class="disabled-reason">
              {destination.disabled_reason === 'manual' ? (
                `by an operator, ${formatTime(destination.disabled_at)}`
              ) : (
                <>
                  automatically, {formatTime(destination.disabled_at)}: <UserText text={destination.disabled_reason ?? 'no reason recorded'} />
                </>
              )}
            </span>
          </>
        )}
      </p>
      <dl class="facts">
        <dt>Destination id</dt>
        <dd>
          <code>{id}</code>
        </dd>
        <dt>Event types</dt>
        <dd>{destination.event_types?.length ? <UserText text={destination.event_types.join(', ')} /> : 'every message'}</dd>
        <dt>Rate limit</dt>
        <dd>{destination.rate_limit == null ? 'none' : `${destination.rate_limit} per second`}</dd>
        <dt>In-flight limit</dt>
        <dd>{destination.max_in_flight == null ? 'server default' : `${destination.max_in_flight} per worker`}</dd>
        <dt>Retry schedule</dt>
        <dd>{destination.retry_schedule == null ? 'server default' : destination.retry_schedule === '' ? 'no retry' : destination.retry_schedule}</dd>
        <dt>Headers</dt>
        <dd>
          {headers.length === 0 ? (
            'none'
          ) : (
            <table class="headers">
              <caption class="visually-hidden">Headers</caption>
              <tbody>
                {headers.map(([name, value]) => (
                  <tr key={name}>
                    <th scope="row">
                      <UserText text={name} />
                    </th>
                    <td class="break">
                      <UserText text={value} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </dd>
        <dt>Signing secret</dt>
        <dd class="row">
          {showSecret ? <code class="secret">{destination.signing_secret}</code> : <span>whsec_••••••••</span>}
          <button type="button" class="secondary" aria-pressed={showSecret} onClick={() => setShowSecret(!showSecret)}>
            {showSecret ? 'Hide secret' : 'Show secret'}
          </button>
          {showSecret && <CopyButton text={destination.signing_secret} label="Copy secret" />}
          {destination.previous_secret_expires_at && (
            <small class="hint">Earlier secrets also sign until {formatTime(destination.previous_secret_expires_at)}.</small>
          )}
        </dd>
      </dl>
      <div class="actions">
        <button type="button" class="secondary" onClick={() => setEditing(!editing)} aria-expanded={editing}>
          Edit
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={toggle}>
          {destination.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" class="secondary" onClick={() => setConfirm('rotate')}>
          Rotate secret
        </button>
        <button type="button" class="danger" onClick={() => setConfirm('delete')}>
          Delete
        </button>
      </div>
      <ErrorText error={error} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <form
        class="row recover"
        onSubmit={(event) => {
          event.preventDefault();
          setConfirm('recover');
        }}
      >
        <label for={`${id}-recover-since`}>Send failed deliveries again, of messages received since</label>
        <input
          id={`${id}-recover-since`}
          type="datetime-local"
          required
          value={recoverSince}
          onInput={(event) => setRecoverSince(event.currentTarget.value)}
        />
        <button type="submit" class="secondary">
          Recover
        </button>
      </form>
      {editing && (
        <DestinationForm
          initial={destination}
          onCancel={() => setEditing(false)}
          onSubmit={async (fields) => {
            await request<Destination>('PATCH', path, fields);
            setEditing(false);
            await onChanged();
          }}
        />
      )}
      {confirm === 'delete' && (
        <ConfirmDialog
          title="Delete this destination?"
          confirmLabel="Delete destination"
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={async () => {
            await request<void>('DELETE', path);
            setConfirm(null);
            await onChanged();
          }}
        >
          <p class="break">
            {destination.http_method} <UserText text={destination.url} /> gets no more deliveries; its deliveries and their attempts are deleted with it.
          </p>
        </ConfirmDialog>
      )}
      {confirm === 'rotate' && (
        <ConfirmDialog
          title="Rotate the signing secret?"
          confirmLabel="Rotate secret"
          onCancel={() => setConfirm(null)}
          onConfirm={async () => {
            await request<Destination>('POST', `${path}/rotate-secret`);
            setConfirm(null);
            setShowSecret(true);
            setNotice('New signing secret issued: give it to the receiver. The old one keeps signing during the overlap.');
            await onChanged();
          }}
        >
          <p>
            A new secret signs every delivery from now on. For a while (SECRET_ROTATION_OVERLAP) deliveries carry a signature with the
            old secret too (and with the one before, if it was rotated within that time), so the receiver can switch without losing any.
          </p>
        </ConfirmDialog>
      )}
      {confirm === 'recover' && (
        <ConfirmDialog
          title="Recover failed deliveries?"
          confirmLabel="Recover"
          onCancel={() => setConfirm(null)}
          onConfirm={async () => {
            const since = new Date(recoverSince);
            const answer = await request<{ recovered: number }>('POST', `${path}/recover`, { since: since.toISOString() });
            setConfirm(null);
            setNotice(`${plural(answer.recovered, 'failed delivery', 'failed deliveries')} queued again.`);
            await onChanged();
          }}
        >
          <p>
            Every failed delivery to this destination of a message received since {formatTime(new Date(recoverSince).toISOString())} is
            sent again, with the retry schedule from the start.
          </p>
        </ConfirmDialog>
      )}
    </article>
  );
}
