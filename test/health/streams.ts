/** Generated pipeline stat streams for the status tests: a report builder over a seeded PRNG. */
import type { PipelineStatRow } from '../../collector/ingest/rows.js';
import { pipelineStatRow } from '../helpers/rows.js';
import { mulberry32 } from '../../collector/demo/seeded-random.js';

/** What one report looks like at `secondsBeforeEnd`; null = no report then. */
export type Shape = (secondsBeforeEnd: number, random: () => number) => Partial<PipelineStatRow> | null;

/** Reports every `everySeconds` over `durationSeconds` ending at `end`, shaped by `shape`. */
export function stream(
  pipeline: string,
  end: number,
  shape: Shape,
  { durationSeconds = 7200, everySeconds = 15, seed = 1, stage = 'transform' } = {},
): PipelineStatRow[] {
  const random = mulberry32(seed);
  const rows: PipelineStatRow[] = [];
  for (let s = durationSeconds; s >= 0; s -= everySeconds) {
    const over = shape(s, random);
    if (over === null) continue;
    rows.push(
      pipelineStatRow({
        pipeline,
        stage,
        ts: end - s * 1000,
        rowsIn: 1500,
        rowsOut: 1500,
        queueDepth: 50,
        lagSeconds: 2,
        errors: 0,
        ...over,
      }),
    );
  }
  return rows;
}

/** ×U(1 − spread, 1 + spread) */
export function jitter(value: number, spread: number, random: () => number): number {
  return value * (1 - spread + 2 * spread * random());
}
