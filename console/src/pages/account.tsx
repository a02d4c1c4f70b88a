import { useState } from 'preact/hooks';
import { type Account, type Page, type Destination, request } from '../api';
import { AccountForm } from '../components/account-form';
import { ConfirmDialog, ErrorText, Loading, SecretOnce, UserText, useLoad } from '../components/ui';
import { formatTime, plural } from '../format';
import { href, navigate } from '../router';
import { DestinationsTab } from './destinations';
import { MessagesTab } from './messages';
import { SendMessageTab } from './send-message';

type Tab = 'destinations' | 'messages' | 'send';
const TABS: Array<[Tab, string]> = [
  ['destinations', 'Destinations'],
  ['messages', 'Messages'],
  ['send', 'Send test message'],
];

export function AccountPage({ accountId, tab }: { accountId: string; tab: Tab }) {
  const account = useLoad(() => request<Account>('GET', `/accounts/${encodeURIComponent(accountId)}`), [accountId]);
  const [editing, setEditing] = useState(false);
  const [confirm, setConfirm] = useState<'rotate' | 'delete' | null>(null);
  const [token, setToken] = useState<string | null>(null);
  const [destinationCount, setDestinationCount] = useState<string>('');

  if (account.error && !account.data) {
    return (
      <section>
        <h1>Account</h1>
        <ErrorText error={account.error} />
        <p>
          <a href={href.accounts()}>All accounts</a>
        </p>
      </section>
    );
  }
  if (!account.data) return <Loading label="Loading the account…" />;
  const current = account.data;

  const askDelete = async () => {
    setConfirm('delete');
    setDestinationCount('');
    try {
      const page = await request<Page<Destination>>('GET', `/accounts/${encodeURIComponent(accountId)}/destinations?limit=100`);
      setDestinationCount(page.next_cursor ? 'more than 100 destinations' : plural(page.data.length, 'destination'));
    } catch {
      setDestinationCount('its destinations');
    }
  };

  return (
    <section aria-labelledby="account-title">
      <p class="crumbs">
        <a href={href.accounts()}>Accounts</a> /
      </p>
      <div class="title-row">
        <h1 id="account-title">
          <UserText text={current.account_name} />
        </h1>
        <div class="actions">
          <button type="button" class="secondary" onClick={() => setEditing(true)} disabled={editing}>
            Edit account
          </button>
          <button type="button" class="secondary" onClick={() => setConfirm('rotate')}>
            Rotate token
          </button>
          <button type="button" class="danger" onClick={askDelete}>
            Delete account
          </button>
        </div>
      </div>
      <dl class="facts">
        <dt>Email</dt>
        <dd>
          <UserText text={current.email} />
        </dd>
        <dt>Website</dt>
        <dd class="break">{current.website ? <UserText text={current.website} /> : '—'}</dd>
        <dt>Ingest rate limit</dt>
        <dd>{current.ingest_rate_limit == null ? 'the server default' : `${current.ingest_rate_limit} requests per second`}</dd>
        <dt>Account id</dt>
        <dd>
          <code>{current.account_id}</code>
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(current.created_at)}</dd>
      </dl>

      {editing && (
        <AccountForm
          title="Edit account"
          submitLabel="Save"
          initial={current}
          onCancel={() => setEditing(false)}
          onSubmit={async (fields) => {
            await request<Account>('PUT', `/accounts/${encodeURIComponent(accountId)}`, fields);
            setEditing(false);
            await account.reload();
          }}
        />
      )}
      {token && <SecretOnce title="The new app secret token" secret={token} onDone={() => setToken(null)} />}

      {confirm === 'rotate' && (
        <ConfirmDialog
          title={
            <>
              Rotate the token of <UserText text={current.account_name} />?
            </>
          }
          confirmLabel="Rotate token"
          onCancel={() => setConfirm(null)}
          onConfirm={async () => {
            const answer = await request<{ app_secret_token: string }>('POST', `/accounts/${encodeURIComponent(accountId)}/rotate-token`);
            setConfirm(null);
            setToken(answer.app_secret_token);
          }}
        >
          <p>The current token stops working at once: its sender gets 401 until it uses the new one.</p>
        </ConfirmDialog>
      )}
      {confirm === 'delete' && (
        <ConfirmDialog
          title={
            <>
              Delete <UserText text={current.account_name} />?
            </>
          }
          confirmLabel="Delete account and all its data"
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={async () => {
            await request<void>('DELETE', `/accounts/${encodeURIComponent(accountId)}`);
            setConfirm(null);
            navigate(href.accounts());
          }}
        >
          <p>
            The account{' '}
            <strong>
              <UserText text={current.email} />
            </strong>{' '}
            goes, and with it {destinationCount || 'its destinations'}, every message it
            sent and every delivery of those messages, pending ones included. Its token stops working. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}

      <nav class="tabs" aria-label="Account sections">
        {TABS.map(([name, label]) => (
          <a key={name} href={href.account(accountId, name)} aria-current={tab === name ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {tab === 'destinations' && <DestinationsTab accountId={accountId} />}
      {tab === 'messages' && <MessagesTab accountId={accountId} />}
      {tab === 'send' && <SendMessageTab accountId={accountId} />}
    </section>
  );
}
