import { useState } from 'preact/hooks';
import { type Account, type Page, query, request } from '../api';
import { AccountForm } from '../components/account-form';
import { Pager, useCursors } from '../components/pager';
import { ErrorText, Loading, SecretOnce, UserText, useLoad } from '../components/ui';
import { formatTime } from '../format';
import { href } from '../router';

const PAGE_SIZE = 20;

export function AccountsPage() {
  const [email, setEmail] = useState('');
  const [search, setSearch] = useState('');
  const pages = useCursors();
  const cursor = pages.cursor;
  const accounts = useLoad(
    () => request<Page<Account>>('GET', `/accounts${query({ limit: PAGE_SIZE, cursor, email: search })}`),
    [cursor, search],
  );
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<(Account & { app_secret_token: string }) | null>(null);
  const [tokenShown, setTokenShown] = useState(false);

  const submitSearch = (event: Event) => {
    event.preventDefault();
    pages.reset();
    setSearch(email.trim());
  };

  return (
    <section aria-labelledby="accounts-title">
      <div class="title-row">
        <h1 id="accounts-title">Accounts</h1>
        {!creating && !tokenShown && (
          <button
            type="button"
            onClick={() => {
              setCreated(null);
              setCreating(true);
            }}
          >
            New account
          </button>
        )}
      </div>

      {creating && (
        <AccountForm
          title="New account"
          submitLabel="Create account"
          onCancel={() => setCreating(false)}
          onSubmit={async (fields) => {
            const account = await request<Account & { app_secret_token: string }>('POST', '/accounts', fields);
            setCreating(false);
            setCreated(account);
            setTokenShown(true);
            void accounts.reload();
          }}
        />
      )}
      {created && (
        <>
          {tokenShown && (
            <SecretOnce
              title={
                <>
                  Account <UserText text={created.account_name} /> created: its app secret token
                </>
              }
              secret={created.app_secret_token}
              onDone={() => setTokenShown(false)}
            />
          )}
          <p class="notice" role="status">
            Account <UserText text={created.account_name} /> created. Next:{' '}
            <a href={href.account(created.account_id)}>
              add destinations to <UserText text={created.account_name} />
            </a>
            .
          </p>
        </>
      )}

      <form class="row search" role="search" onSubmit={submitSearch}>
        <label for="account-search">Find by email</label>
        <input
          id="account-search"
          type="email"
          placeholder="ops@example.com"
          value={email}
          onInput={(event) => setEmail(event.currentTarget.value)}
          aria-describedby="account-search-hint"
        />
        <button type="submit" class="secondary">
          Search
        </button>
        {search && (
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setEmail('');
              setSearch('');
              pages.reset();
            }}
          >
            Show all
          </button>
        )}
        <small class="hint" id="account-search-hint">
          The whole address, any case.
        </small>
      </form>
      <ErrorText error={accounts.error} />
      {accounts.loading && !accounts.data && <Loading label="Loading accounts…" />}
      {accounts.data && (
        <>
          <table>
            <caption class="visually-hidden">Accounts, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Website</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {accounts.data.data.map((account) => (
                <tr key={account.account_id}>
                  <td>
                    <a href={href.account(account.account_id)} data-testid="account-name">
                      <UserText text={account.account_name} />
                    </a>
                  </td>
                  <td>
                    <UserText text={account.email} />
                  </td>
                  <td class="break">{account.website ? <UserText text={account.website} /> : '—'}</td>
                  <td>{formatTime(account.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {accounts.data.data.length === 0 && (
            <p>
              {search ? (
                <>
                  No account has the email <UserText text={search} />.
                </>
              ) : (
                'No accounts yet: create one.'
              )}
            </p>
          )}
          <Pager pages={pages} nextCursor={accounts.data.next_cursor} label="Pages of accounts" />
        </>
      )}
    </section>
  );
}
