/**
 * The records a WAL entry acknowledged, read back from the body it keeps: the body parsed as at
 * ingest, refused records left out, `ts` resolved against the receive time, scrape-target labels
 * applied. Parsing and ts resolution are the functions the ingest route used, so the records are
 * exactly those the route validated.
 */
import { applyTargetLabels } from '../gpu/labels.js';
import { parseExposition } from '../gpu/parse-exposition.js';
import { envelopeRecords, parseNdjson } from '../http/body-parsers.js';
import type { WalEntry } from '../wal/entry.js';
import { resolveTimestamp } from './validate.js';

export function acknowledgedRecords(entry: WalEntry): unknown[] {
  if (entry.format === 'exposition') {
    const { rows } = parseExposition(entry.body, entry.receivedAt);
    if (entry.labels) for (const row of rows) applyTargetLabels(row, entry.labels);
    return rows;
  }
  const records =
    entry.format === 'ndjson' ? parseNdjson(entry.body) : envelopeRecords(JSON.parse(entry.body));
  const refused = new Set(entry.rejected);
  const kept: unknown[] = [];
  for (let index = 0; index < records.length; index++) {
    if (refused.has(index)) continue;
    const record = records[index] as { ts?: unknown };
    record.ts = resolveTimestamp(record.ts, entry.receivedAt);
    kept.push(record);
  }
  return kept;
}
