import { useState } from 'preact/hooks';
import type { Account } from '../api';
import { errorsByField } from './form-errors';
import { ErrorText, Field } from './ui';

export interface AccountFields {
  email: string;
  account_name: string;
  website: string | null;
  ingest_rate_limit: number | null;
}

const FIELDS = ['email', 'account_name', 'website', 'ingest_rate_limit'];

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
  const [rateLimit, setRateLimit] = useState(initial?.ingest_rate_limit == null ? '' : String(initial.ingest_rate_limit));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const { byField, form } = errorsByField(error, FIELDS);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit({
        email: email.trim(),
        account_name: name.trim(),
        website: website.trim() || null,
        ingest_rate_limit: rateLimit.trim() === '' ? null : Number(rateLimit),
      });
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
      <Field
        id="account-ingest-rate-limit"
        label="Ingest rate limit (requests per second)"
        hint="Empty: the server default (INGEST_RATE_LIMIT). Above it, ingest answers 429."
      >
        <input
          id="account-ingest-rate-limit"
          type="number"
          min={1}
          max={1_000_000}
          step={1}
          value={rateLimit}
          onInput={(event) => setRateLimit(event.currentTarget.value)}
          aria-describedby="account-ingest-rate-limit-hint"
        />
        <ErrorText error={byField.ingest_rate_limit && new Error(byField.ingest_rate_limit.join('; '))} />
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
