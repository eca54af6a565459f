/**
 * GPU idle analytics. The store sums coverage per series (activity = GR_ENGINE_ACTIVE, else
 * GPU_UTIL/100; a sample covers the time to the next one, capped at twice the series' nominal
 * interval; the last covers one interval; gaps are unobserved), this module attributes it:
 * allocated vs unallocated, data-starved, cost, and groups by gpu, host, namespace, pod or model.
 */
import type { GpuIdleAggregate, GpuStore, PipelineLikeRule, StarvedSpan } from '../store/gpu-store.js';
import { starvedIntervals } from '../pipeline/starvation.js';
import type { GpuConfig, PipelineRule } from './config.js';
import { gpuHourlyPrice } from './price.js';

/** How the report groups series. `gpu-pod` (per GPU and pod) feeds /metrics. */
export type IdleGroupBy = 'gpu' | 'host' | 'namespace' | 'pod' | 'model' | 'gpu-pod';

/** The groupings GET /v1/gpu/idle and the CLI accept. */
export const IDLE_GROUPINGS: readonly IdleGroupBy[] = ['gpu', 'host', 'namespace', 'pod', 'model'];

/** One row of the idle report; group columns not in `by` are null. */
export interface IdleReportRow {
  host: string | null;
  gpu: string | null;
  uuid: string | null;
  mig_instance: string | null;
  model_name: string | null;
  namespace: string | null;
  pod: string | null;
  observed_seconds: number;
  idle_seconds: number;
  idle_ratio: number;
  allocated_idle_seconds: number;
  unallocated_idle_seconds: number;
  data_starved_seconds: number;
  idle_cost: number;
}

/** The body of GET /v1/gpu/idle. */
export interface IdleReport {
  from: number;
  until: number;
  threshold: number;
  rows: IdleReportRow[];
}

export interface IdleRequest {
  tenant: string;
  from: number;
  until: number;
  by: IdleGroupBy;
}

type GroupColumn = 'host' | 'gpu' | 'uuid' | 'mig_instance' | 'model_name' | 'namespace' | 'pod';

const GROUP_COLUMNS: Readonly<Record<IdleGroupBy, readonly GroupColumn[]>> = {
  gpu: ['host', 'gpu', 'uuid', 'mig_instance', 'model_name'],
  'gpu-pod': ['host', 'gpu', 'uuid', 'mig_instance', 'model_name', 'namespace', 'pod'],
  host: ['host'],
  namespace: ['namespace'],
  pod: ['namespace', 'pod'],
  model: ['model_name'],
};

/** Reads the aggregates for `request` from the store and builds the report. */
export async function idleReport(
  store: GpuStore,
  config: GpuConfig,
  request: IdleRequest,
): Promise<IdleReport> {
  const window = {
    tenant: request.tenant,
    from: request.from,
    until: request.until,
    maxIntervalMs: config.maxIntervalMs,
    pipelineRules: config.pipelines.map(toLikeRule),
  };
  const pipelines = await store.mappedPipelines(window);
  // Reports up to one window before `from` still hold their verdict at `from`.
  const points = await store.pipelinePoints(
    request.tenant,
    pipelines,
    request.from - config.starvationWindowMs,
    request.until,
  );
  const starved: StarvedSpan[] = [];
  for (const pipeline of pipelines) {
    const spans = starvedIntervals(
      points.filter((p) => p.pipeline === pipeline),
      config.starvationWindowMs,
    );
    for (const span of spans) {
      const start = Math.max(span.start, request.from);
      const end = Math.min(span.end, request.until);
      if (end > start) starved.push({ pipeline, start, end });
    }
  }
  const aggregates = await store.idleAggregates({
    ...window,
    threshold: config.threshold,
    defaultIntervalMs: config.defaultIntervalMs,
    starved,
  });
  return {
    from: request.from,
    until: request.until,
    threshold: config.threshold,
    rows: summariseIdle(aggregates, request.by, config.prices),
  };
}

/**
 * Groups store aggregates into report rows: sums, idle ratio, allocated split, cost. Sorted by
 * idle seconds (wasted GPU time) descending, then by the group columns.
 */
export function summariseIdle(
  aggregates: readonly GpuIdleAggregate[],
  by: IdleGroupBy,
  prices: Readonly<Record<string, number>>,
): IdleReportRow[] {
  const columns = GROUP_COLUMNS[by];
  const groups = new Map<string, IdleReportRow>();
  for (const a of aggregates) {
    const values: Record<GroupColumn, string> = {
      host: a.host,
      gpu: a.gpu,
      uuid: a.uuid,
      mig_instance: a.migInstance,
      model_name: a.modelName,
      namespace: a.namespace,
      pod: a.pod,
    };
    const key = columns.map((c) => values[c]).join('\u001f');
    let row = groups.get(key);
    if (row === undefined) {
      row = emptyRow();
      for (const c of columns) row[c] = values[c];
      groups.set(key, row);
    }
    // Sums stay in integer milliseconds until the end, so seconds print as 120.069, not 120.06900000000002.
    const allocated = a.pod !== '' || a.hpcJob !== '';
    row.observed_seconds += a.observedMs;
    row.idle_seconds += a.idleMs;
    if (allocated) row.allocated_idle_seconds += a.idleMs;
    else row.unallocated_idle_seconds += a.idleMs;
    if (allocated) row.data_starved_seconds += a.starvedIdleMs;
    row.idle_cost += (a.idleMs / 3_600_000) * gpuHourlyPrice(prices, a.modelName, a.migProfile);
  }
  const rows = [...groups.values()];
  for (const row of rows) {
    row.idle_ratio = row.observed_seconds > 0 ? row.idle_seconds / row.observed_seconds : 0;
    for (const field of SECONDS_FIELDS) row[field] /= 1000;
    row.idle_cost = Math.round(row.idle_cost * 1e6) / 1e6;
  }
  return rows.sort((a, b) => b.idle_seconds - a.idle_seconds || compareGroups(a, b, columns));
}

const SECONDS_FIELDS = [
  'observed_seconds',
  'idle_seconds',
  'allocated_idle_seconds',
  'unallocated_idle_seconds',
  'data_starved_seconds',
] as const;

function compareGroups(a: IdleReportRow, b: IdleReportRow, columns: readonly GroupColumn[]): number {
  for (const c of columns) {
    const d = (a[c] ?? '').localeCompare(b[c] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

function emptyRow(): IdleReportRow {
  return {
    host: null,
    gpu: null,
    uuid: null,
    mig_instance: null,
    model_name: null,
    namespace: null,
    pod: null,
    observed_seconds: 0,
    idle_seconds: 0,
    idle_ratio: 0,
    allocated_idle_seconds: 0,
    unallocated_idle_seconds: 0,
    data_starved_seconds: 0,
    idle_cost: 0,
  };
}

/** A configured glob rule as SQL LIKE patterns (`*` → `%`, `?` → `_`, LIKE's own wildcards escaped). */
export function toLikeRule(rule: PipelineRule): PipelineLikeRule {
  return {
    pipeline: rule.pipeline,
    namespaceLike: globToLike(rule.namespace),
    podLike: globToLike(rule.pod),
    jobLike: globToLike(rule.job),
  };
}

/** `train-*` → `train-%`; null (no pattern) → `%`. The escape character is a backslash. */
export function globToLike(glob: string | null): string {
  if (glob === null) return '%';
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += '%';
    else if (ch === '?') out += '_';
    else if (ch === '%' || ch === '_' || ch === '\\') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}
