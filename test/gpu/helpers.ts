/** Loads exposition text into a real DuckDB store, as the WAL writer would. */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseExposition } from '../../collector/gpu/parse-exposition.js';
import type { PipelineStatRow } from '../../collector/ingest/rows.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import type { Store } from '../../collector/store/store.js';
import { batchOf } from '../helpers/rows.js';
import { scratchDir } from '../helpers/tmp.js';

/** 2026-01-01T00:00:00Z, the start of every trace fixture. */
export const T0 = Date.UTC(2026, 0, 1);

export function fixture(name: string): string {
  return readFileSync(join(import.meta.dirname, '../fixtures/gpu', name), 'utf8');
}

let batch = 0;

/** Parses `text` and stores its rows under `tenant`; fails the test on any malformed line. */
export async function loadExposition(store: Store, text: string, tenant = 'default'): Promise<void> {
  const parsed = parseExposition(text, T0);
  if (parsed.errors.length > 0)
    throw new Error(`fixture has malformed lines: ${JSON.stringify(parsed.errors)}`);
  const rows = parsed.rows.map((r, i) => ({ ...r, walSeq: i, tenant }));
  await store.ingest.applyBatch(batchOf(`gpu-test-${batch++}`, 0, rows.length, { gpuSamples: rows }));
}

/** Stores pipeline stat rows. */
export async function loadPipelineStats(store: Store, rows: PipelineStatRow[]): Promise<void> {
  const stamped = rows.map((r, i) => ({ ...r, walSeq: i }));
  await store.ingest.applyBatch(batchOf(`stats-test-${batch++}`, 0, rows.length, { pipelineStats: stamped }));
}

export function openScratchStore(): Promise<Store> {
  return openDuckDbStore(join(scratchDir('fw-gpu-'), 'store.duckdb'));
}
