/** Parses a dcgm-exporter exposition body into wide GPU rows (one per series and timestamp). */
import type { GpuSampleRow } from '../ingest/rows.js';

/** One GPU series at one instant, before the collector stamps the WAL sequence and tenant. */
export type GpuSeriesSample = Omit<GpuSampleRow, 'walSeq' | 'tenant'>;

/** A skipped line: 1-based line number and what was wrong. */
export interface ExpositionError {
  line: number;
  message: string;
}

export interface ParsedExposition {
  rows: GpuSeriesSample[];
  errors: ExpositionError[];
}
