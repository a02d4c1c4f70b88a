import { useState } from 'preact/hooks';
import { checkKey, storeKey } from '../api';
import { ErrorText } from '../components/ui';

export function SignInPage({ onSignedIn, expired }: { onSignedIn: () => void; expired: boolean }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (await checkKey(key.trim())) {
        storeKey(key.trim());
        onSignedIn();
      } else {
        setError(new Error('That is not the admin API key of this server.'));
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <form onSubmit={submit} class="panel" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Data Pusher console</h1>
        {expired && <p class="warning">The server no longer accepts the key you signed in with: sign in again.</p>}
        <div class="field">
          <label for="admin-key">Admin API key</label>
          <input
            id="admin-key"
            type="password"
            autocomplete="off"
            required
            value={key}
            onInput={(event) => setKey(event.currentTarget.value)}
            aria-describedby="admin-key-hint"
            aria-invalid={error ? true : undefined}
          />
          <small class="hint" id="admin-key-hint">
            The server's ADMIN_API_KEY (with the default SQLite set-up: the file data/admin-api-key). It is kept in this tab only
            and forgotten when the tab closes.
          </small>
        </div>
        <ErrorText error={error} />
        <button type="submit" disabled={busy || !key.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
