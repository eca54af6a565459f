/**
 * When to try again after a failed send: exponential backoff with jitter, unless the collector
 * said when (Retry-After). Jitter spreads a fleet of services that lost the collector at the same
 * moment, so they do not all come back in the same millisecond.
 */

/** Retry-After values past this are capped: a wrong header must not silence a service for a day. */
export const MAX_RETRY_AFTER_MS = 300_000;

/**
 * Delay before retry number `attempt` (1 for the first retry): `base × 2^(attempt-1)`, capped at
 * `max`, then scaled by a random factor in [0.5, 1) ("equal jitter": never zero, still spread).
 *
 * @example
 * ```ts
 * backoffDelay(1, 200, 30_000); // between 100 and 200 ms
 * backoffDelay(10, 200, 30_000); // between 15 and 30 s
 * ```
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exponential * (0.5 + random() / 2));
}

/**
 * Parses a Retry-After header (delay in seconds, or an HTTP date) into milliseconds from `now`,
 * capped at {@link MAX_RETRY_AFTER_MS}. Undefined when absent or unreadable.
 *
 * @example
 * ```ts
 * parseRetryAfter('2'); // 2000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:50 GMT')); // 10000
 * ```
 */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(text) * 1000));
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - now));
}
