/**
 * Turns the rows of the pipeline-window query into PipelineStageAggregate. Both adapters alias
 * their SQL columns identically (`w_reports`, `q_sx`, …), so one mapping serves them.
 */
import type { ModelQualityRow, PipelineStageAggregate } from './health-store.js';

/** A database number (or numeric string, or null) as a number, null counting as 0. */
export const num = (v: unknown): number =>
  typeof v === 'number' ? v : v === null || v === undefined ? 0 : Number(v);

/** A database number as a number, keeping null. */
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** One row of the pipeline-window query as the aggregate the status rules read. */
export function pipelineStageFromRow(r: Record<string, unknown>): PipelineStageAggregate {
  const part = (p: string) => ({
    reports: num(r[`${p}_reports`]),
    rowsIn: num(r[`${p}_rows_in`]),
    rowsOut: num(r[`${p}_rows_out`]),
    firstTs: numOrNull(r[`${p}_first`]),
    lastTs: numOrNull(r[`${p}_last`]),
  });
  const sums = (p: string) => ({
    n: num(r[`${p}_n`]),
    sumX: num(r[`${p}_sx`]),
    sumY: num(r[`${p}_sy`]),
    sumXX: num(r[`${p}_sxx`]),
    sumXY: num(r[`${p}_sxy`]),
    sumYY: num(r[`${p}_syy`]),
  });
  return {
    pipeline: String(r.pipeline),
    stage: String(r.stage),
    window: { ...part('w'), errors: num(r.w_errors) },
    baseline: part('b'),
    recent: part('r'),
    lastSeen: num(r.last_seen),
    lastStatus: r.last_status === null ? null : String(r.last_status),
    lastSuccess: numOrNull(r.last_success),
    latestLagSeconds: numOrNull(r.latest_lag),
    latestQueueDepth: numOrNull(r.latest_queue),
    queueTrend: sums('q'),
    lagTrend: sums('l'),
    queueThirds: { early: numOrNull(r.q_early), late: numOrNull(r.q_late) },
    lagThirds: { early: numOrNull(r.l_early), late: numOrNull(r.l_late) },
  };
}

/** Quality rows keyed by (model, version, segment), created empty on first sight. */
export class QualityGroups {
  private readonly groups = new Map<string, ModelQualityRow>();

  /** The row of `r`'s group (`r.model`, `r.version`) with `segment`, created when new. */
  of(r: Record<string, unknown>, segment: string | null): ModelQualityRow {
    const key = JSON.stringify([r.model, r.version, segment]);
    let g = this.groups.get(key);
    if (!g) {
      g = {
        model: String(r.model),
        version: String(r.version),
        segment,
        labeled: 0,
        numeric: {
          n: 0,
          nonBinary: 0,
          positives: 0,
          negatives: 0,
          tp: 0,
          fp: 0,
          tn: 0,
          fn: 0,
          concordance: 0,
          absError: 0,
          squaredError: 0,
          absPercentError: 0,
        },
        cells: [],
      };
      this.groups.set(key, g);
    }
    return g;
  }

  /** Every group seen. */
  values(): IterableIterator<ModelQualityRow> {
    return this.groups.values();
  }
}
