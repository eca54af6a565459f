/**
 * Marks the stages that are starved right now by the one starvation rule (pipeline/starvation.ts),
 * the same rule that attributes GPU idle time as data-starved, so /v1/pipelines/health and
 * /v1/gpu/idle never disagree about which pipeline starved its GPUs.
 */
import type { GpuStore } from '../store/gpu-store.js';
import { isStarvedAt } from './starvation.js';
import type { StageHealth } from './status.js';

/** `stages` with `starved` set and, when starved, a `starved: …` reason appended. */
export async function withStarvation(
  stages: readonly StageHealth[],
  gpuStore: GpuStore,
  query: { tenant: string; now: number; windowMs: number },
): Promise<(StageHealth & { starved: boolean })[]> {
  const pipelines = [...new Set(stages.map((s) => s.pipeline))];
  const points =
    pipelines.length === 0
      ? []
      : await gpuStore.pipelinePoints(query.tenant, pipelines, query.now - 2 * query.windowMs, query.now + 1);
  return stages.map((stage) => {
    const own = points.filter((p) => p.pipeline === stage.pipeline && p.stage === stage.stage);
    const starved = own.length > 0 && isStarvedAt(own, query.now, query.windowMs);
    return {
      ...stage,
      starved,
      reasons: starved
        ? [...stage.reasons, 'starved: empty queue or growing lag (GPU idle counts as data-starved)']
        : stage.reasons,
    };
  });
}
