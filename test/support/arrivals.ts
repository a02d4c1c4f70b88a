import type { ReceivedRequest } from './sink.js';

/** The most requests the sink had open at once. */
export function peakConcurrency(requests: ReceivedRequest[]): number {
  const events = requests.flatMap((r) => [
    { at: r.at, delta: 1 },
    { at: r.answeredAt ?? r.abandonedAt ?? Infinity, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let peak = 0;
  for (const { delta } of events) {
    open += delta;
    peak = Math.max(peak, open);
  }
  return peak;
}

/** The most arrivals within any `windowMs` (sliding). */
export function peakRate(requests: ReceivedRequest[], windowMs: number): number {
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  let peak = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}
