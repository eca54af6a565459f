/** Instants and durations as users type them: epoch ms, ISO 8601, or `24h` / `30m` / `7d` ago. */
import { FactorywatchError } from '../errors.js';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds in a duration like `90s`, `15m`, `24h`, `7d`; null when `text` is not one. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * UNIT_MS[match[2] as string]!;
}

/**
 * Epoch ms of `text`: an integer (epoch ms), an ISO 8601 time, or a duration meaning that long before
 * `now`. Throws QUERY_INVALID naming `path` otherwise.
 */
export function parseInstant(text: string, now: number, path: string): number {
  const trimmed = text.trim();
  if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
  const ago = parseDuration(trimmed);
  if (ago !== null) return now - ago;
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
