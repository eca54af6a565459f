/** Instants and durations as users type them: epoch ms, ISO 8601, or `24h` / `30m` / `7d` ago. */
import { parseDurationMs } from '../config/duration.js';
import { FactorywatchError } from '../errors.js';

/**
 * Epoch ms of `text`: an integer (epoch ms), an ISO 8601 time, or a duration meaning that long before
 * `now`. Throws QUERY_INVALID naming `path` otherwise.
 */
export function parseInstant(text: string, now: number, path: string): number {
  const trimmed = text.trim();
  if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
  // Only text ending in a unit is a duration here: a bare number means epoch ms, not seconds.
  const ago = /[a-z]$/.test(trimmed) ? parseDurationMs(trimmed) : undefined;
  if (ago !== undefined) return now - ago;
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (Number.isNaN(parsed)) {
    throw new FactorywatchError(
      'QUERY_INVALID',
      `"${text}" is not a time: use epoch milliseconds, ISO 8601 (2026-03-01T12:00:00Z) or a duration ago (24h, 7d).`,
      path,
    );
  }
  return parsed;
}
