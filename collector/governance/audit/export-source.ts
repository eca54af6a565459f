/** An audit export (`audit export` output) loaded in memory as a verification source. */
import { readFileSync } from 'node:fs';
import type { AuditCheckpointRow, AuditEventFilter, AuditEventRow } from '../../store/audit-store.js';
import type { VerifySource } from './verify.js';

/** The parsed export: its source for verifyChain, chain id and public keys. */
export interface LoadedExport {
  readonly chainId: string;
  readonly publicKeys: string[];
  readonly source: VerifySource;
}

/** Reads an NDJSON export file (header line, then one line per event). */
export function loadExport(path: string): LoadedExport {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const header = JSON.parse(lines[0] ?? '{}') as {
    type?: string;
    chainId?: string;
    publicKeys?: string[];
    checkpoints?: AuditCheckpointRow[];
  };
  if (header.type !== 'header' || typeof header.chainId !== 'string')
    throw new Error(`${path} is not a factorywatch audit export.`);
  const events = lines.slice(1).map((l) => {
    const { type: _type, ...row } = JSON.parse(l) as AuditEventRow & { type: string };
    return row as AuditEventRow;
  });
  events.sort((a, b) => a.seq - b.seq);
  const checkpoints = header.checkpoints ?? [];
  const source: VerifySource = {
    async seqRange() {
      return events.length ? { first: events[0]!.seq, last: events.at(-1)!.seq } : undefined;
    },
    async eventsInRange(_chain, from, to) {
      return events.filter((e) => e.seq >= from && e.seq < to);
    },
    async checkpoints() {
      return checkpoints;
    },
    async queryEvents(filter: AuditEventFilter) {
      return events.filter((e) => filter.kind === undefined || e.kind === filter.kind).slice(0, filter.limit);
    },
  };
  return { chainId: header.chainId, publicKeys: header.publicKeys ?? [], source };
}
