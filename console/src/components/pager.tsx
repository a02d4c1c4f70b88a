import { useState } from 'preact/hooks';

/** Keyset pages: the API pages forward with `next_cursor`; the cursors seen so far let the user go back. */
export function useCursors() {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    first: cursors.length === 1,
    next: (cursor: string) => setCursors([...cursors, cursor]),
    back: () => setCursors(cursors.slice(0, -1)),
    reset: () => setCursors([undefined]),
  };
}

export function Pager({
  pages,
  nextCursor,
  label,
  previousLabel = 'Previous page',
  nextLabel = 'Next page',
}: {
  pages: ReturnType<typeof useCursors>;
  nextCursor: string | null;
  label: string;
  previousLabel?: string;
  nextLabel?: string;
}) {
  if (pages.first && !nextCursor) return null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" class="secondary" disabled={pages.first} onClick={pages.back}>
        {previousLabel}
      </button>
      <button type="button" class="secondary" disabled={!nextCursor} onClick={() => nextCursor && pages.next(nextCursor)}>
        {nextLabel}
      </button>
    </nav>
  );
}
