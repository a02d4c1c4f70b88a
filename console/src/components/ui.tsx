import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type DeliveryStatus } from '../api';
import { visibleControls } from '../visible-text';

// Everything strangers write (payloads, headers, URLs, error texts) reaches the page as JSX text children or
// attribute values, which Preact sets as text: no component here ever sets HTML. Shown as text, it goes
// through UserText (or visibleControls, in <pre>), so bidi controls in it can neither pose as other text nor
// reorder the page around it.

/**
 * Text a stranger wrote: isolated from the text around it (<bdi>: right-to-left text in it cannot move
 * neighbouring words or punctuation), with control characters shown as escapes (see visibleControls).
 */
export function UserText({ text }: { text: string }) {
  return <bdi>{visibleControls(text)}</bdi>;
}

export function errorMessages(error: unknown): string[] {
  if (error instanceof ApiError) return error.messages;
  return [error instanceof Error ? error.message : String(error)];
}

/** An API error, shown next to the control that caused it; screen readers announce it. */
export function ErrorText({ error, id }: { error: unknown; id?: string }) {
  if (!error) return null;
  const messages = errorMessages(error);
  return (
    <div class="error" role="alert" id={id}>
      {messages.length === 1 ? (
        <UserText text={messages[0]} />
      ) : (
        <ul>
          {messages.map((message, index) => (
            <li key={index}>
              <UserText text={message} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function StatusBadge({ status }: { status: DeliveryStatus }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <>
      <button type="button" class="secondary" onClick={copy}>
        {label}
      </button>
      <span class="hint" role="status">
        {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Copying was refused: select the text and copy it.' : ''}
      </span>
    </>
  );
}

/** A secret shown once (an app secret token): copy it now, it is not shown again. */
export function SecretOnce({ title, secret, onDone }: { title: ComponentChildren; secret: string; onDone: () => void }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <section class="panel secret-once" aria-labelledby="secret-once-title" tabIndex={-1} ref={ref}>
      <h3 id="secret-once-title">{title}</h3>
      <p class="warning">
        Copy this token now and give it to the account's sender. <strong>It will not be shown again</strong>: only a hash of it is
        stored. If it is lost, rotate it.
      </p>
      <div class="row">
        <code class="secret" data-testid="secret-once">
          {secret}
        </code>
        <CopyButton text={secret} label="Copy token" />
      </div>
      <button type="button" onClick={onDone}>
        I have copied it
      </button>
    </section>
  );
}

/**
 * A modal confirmation (the native <dialog>: focus is kept inside, Escape cancels). `children` says what
 * will happen; the confirm button names the action.
 */
export function ConfirmDialog({
  title,
  confirmLabel,
  danger,
  onConfirm,
  onCancel,
  children,
}: {
  title: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={(event) => (event.preventDefault(), onCancel())}>
      <h2 id="confirm-title">{title}</h2>
      <div>{children}</div>
      <ErrorText error={error} />
      <div class="actions">
        <button type="button" class={danger ? 'danger' : ''} disabled={busy} onClick={confirm}>
          {busy ? 'Working…' : confirmLabel}
        </button>
        <button type="button" class="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Loads with `load` whenever `deps` change, and every `refreshMs` while the tab is visible. A refresh keeps
 * the data it has until the new answer comes, so the page does not flicker.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], refreshMs?: number): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const value = await run();
      if (mine !== generation.current) return;
      setData(value);
      setError(null);
    } catch (caught) {
      if (mine === generation.current) setError(caught);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [run]);
  useEffect(() => {
    setData(null);
    void reload();
    if (!refreshMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, refreshMs);
    return () => clearInterval(timer);
  }, [reload, refreshMs]);
  return { data, error, loading, reload };
}

export function Field({ label, hint, children, id }: { label: string; hint?: string; id: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <small class="hint" id={`${id}-hint`}>
          {hint}
        </small>
      )}
    </div>
  );
}
