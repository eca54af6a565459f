/**
 * The one definition of a starved data pipeline, shared by GPU idle attribution (data-starved
 * idle) and pipeline health. A pipeline is starved while one of its stages reports
 *
 * - an empty queue: `queue_depth` = 0, or
 * - growing lag: `lag_seconds` rose across the trailing window — the window (ts − window, ts]
 *   holds at least two lag reports of the stage, no step between consecutive reports falls, and
 *   the newest is strictly above the oldest.
 *
 * A report's verdict holds from its timestamp until the stage's next report, for at most one
 * window (a stage that stops reporting is unobserved, not starved: "stalled" is pipeline
 * health's call). Pure functions: no I/O, no clock.
 */

/** One pipeline stat report; `PipelineStatRow` (ingest/rows.ts) fits as is. */
export interface PipelineStatPoint {
  /** Epoch milliseconds. */
  readonly ts: number;
  readonly stage: string;
  readonly queueDepth: number | null;
  readonly lagSeconds: number | null;
}

/** A half-open time range [start, end) in epoch milliseconds. */
export interface TimeInterval {
  start: number;
  end: number;
}

/** The trailing window of the "growing lag" rule and the longest a verdict lasts: 5 minutes. */
export const DEFAULT_STARVATION_WINDOW_MS = 5 * 60_000;

/**
 * When the pipeline behind `points` (all its stages, any order) was starved: sorted, merged,
 * non-overlapping intervals.
 *
 * @example starvedIntervals([{ ts: 0, stage: 'load', queueDepth: 0, lagSeconds: null }, { ts: 60_000, stage: 'load', queueDepth: 9, lagSeconds: null }]) // [{ start: 0, end: 60_000 }]
 */
export function starvedIntervals(
  points: readonly PipelineStatPoint[],
  windowMs: number = DEFAULT_STARVATION_WINDOW_MS,
): TimeInterval[] {
  const intervals: TimeInterval[] = [];
  for (const stagePoints of byStage(points).values()) {
    for (let i = 0; i < stagePoints.length; i++) {
      const point = stagePoints[i] as PipelineStatPoint;
      if (!isStarvedReport(stagePoints, i, windowMs)) continue;
      const next = stagePoints[i + 1];
      const end = Math.min(next === undefined ? Infinity : next.ts, point.ts + windowMs);
      if (end > point.ts) intervals.push({ start: point.ts, end });
    }
  }
  return mergeIntervals(intervals);
}

/** Whether the pipeline is starved at `atMs`, judged on the reports up to then. */
export function isStarvedAt(
  points: readonly PipelineStatPoint[],
  atMs: number,
  windowMs: number = DEFAULT_STARVATION_WINDOW_MS,
): boolean {
  const upTo = points.filter((p) => p.ts <= atMs);
  return starvedIntervals(upTo, windowMs).some((iv) => iv.start <= atMs && atMs < iv.end);
}

/** Report `i` of one stage (sorted by ts) says starved: empty queue, or lag grew over the window. */
function isStarvedReport(stagePoints: readonly PipelineStatPoint[], i: number, windowMs: number): boolean {
  const point = stagePoints[i] as PipelineStatPoint;
  if (point.queueDepth === 0) return true;
  if (point.lagSeconds === null) return false;
  let newer = point.lagSeconds;
  let oldest = point.lagSeconds;
  let reports = 1;
  for (let j = i - 1; j >= 0; j--) {
    const earlier = stagePoints[j] as PipelineStatPoint;
    if (earlier.ts <= point.ts - windowMs) break;
    if (earlier.lagSeconds === null) continue;
    if (earlier.lagSeconds > newer) return false;
    newer = earlier.lagSeconds;
    oldest = earlier.lagSeconds;
    reports++;
  }
  return reports >= 2 && point.lagSeconds > oldest;
}

function byStage(points: readonly PipelineStatPoint[]): Map<string, PipelineStatPoint[]> {
  const stages = new Map<string, PipelineStatPoint[]>();
  for (const p of points) {
    const list = stages.get(p.stage);
    if (list === undefined) stages.set(p.stage, [p]);
    else list.push(p);
  }
  for (const list of stages.values()) list.sort((a, b) => a.ts - b.ts);
  return stages;
}

/** Sorts and merges overlapping or touching intervals. */
export function mergeIntervals(intervals: readonly TimeInterval[]): TimeInterval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const merged: TimeInterval[] = [];
  for (const iv of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && iv.start <= last.end) last.end = Math.max(last.end, iv.end);
    else merged.push({ start: iv.start, end: iv.end });
  }
  return merged;
}
