/** Durations as people write them in config files and on the command line: `30s`, `5m`, `24h`. */

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Milliseconds of `500ms`, `15s`, `1h30m`, `7d` (units ms, s, m, h, d, w, combinable), or of a
 * plain number of seconds. Returns undefined when the text is none of these.
 *
 * @example parseDurationMs('1h30m') // 5_400_000
 */
export function parseDurationMs(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;
  let total = 0;
  let matched = 0;
  while (part.lastIndex < trimmed.length) {
    const start = part.lastIndex;
    const m = part.exec(trimmed);
    if (m === null || m.index !== start) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    matched++;
  }
  return matched === 0 ? undefined : total;
}
