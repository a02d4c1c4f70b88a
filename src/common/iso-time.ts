export function isoTime(epochMillis: number): string;
export function isoTime(epochMillis: number | null): string | null;
export function isoTime(epochMillis: number | null): string | null {
  return epochMillis === null ? null : new Date(epochMillis).toISOString();
}
