import { useState } from 'preact/hooks';
import type { Account } from '../api';
import { errorsByField } from './form-errors';
import { ErrorText, Field } from './ui';

export interface AccountFields {
  email: string;
  account_name: string;
  website: string | null;
}

const FIELDS = ['email', 'account_name', 'website'];

export function AccountForm({
  title,
  submitLabel,
  initial,
  onSubmit,
  onCancel,
}: {
  title: string;
  submitLabel: string;
  initial?: Account;
  onSubmit: (fields: AccountFields) => Promise<void>;
  onCancel: () => void;
}) {
  const [email, setEmail] = useState(initial?.email ?? '');
  const [name, setName] = useState(initial?.account_name ?? '');
  const [website, setWebsite] = useState(initial?.website ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const { byField, form } = errorsByField(error, FIELDS);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit({ email: email.trim(), account_name: name.trim(), website: website.trim() || null });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="account-form-title">
      <h2 id="account-form-title">{title}</h2>
      <Field id="account-name" label="Name">
        <input id="account-name" required maxLength={200} value={name} onInput={(event) => setName(event.currentTarget.value)} />
        <ErrorText error={byField.account_name && new Error(byField.account_name.join('; '))} />
      </Field>
      <Field id="account-email" label="Email">
        <input id="account-email" type="email" required value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
        <ErrorText error={byField.email && new Error(byField.email.join('; '))} />
      </Field>
      <Field id="account-website" label="Website (optional)">
        <input
          id="account-website"
          type="url"
          placeholder="https://example.com"
          value={website}
          onInput={(event) => setWebsite(event.currentTarget.value)}
        />
        <ErrorText error={byField.website && new Error(byField.website.join('; '))} />
      </Field>
      <ErrorText error={form.length ? new Error(form.join('; ')) : null} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
