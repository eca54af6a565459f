/** Pipeline health of every stage: one store query per distinct set of windows, then the status rules. */
import { pipelineThresholds, type HealthConfig, type PipelineThresholds } from './config.js';
import type { HealthStore, TenantScope } from '../store/health-store.js';
import { stageHealth, type StageHealth } from './status.js';

/** Which stages to evaluate, and when. */
export interface PipelineHealthQuery {
  tenant: TenantScope;
  /** Evaluation time, epoch ms. */
  now: number;
  /** Only this pipeline. */
  pipeline?: string;
}

/** The health of every stage seen within `forgetAfterSeconds`, ordered by pipeline and stage. */
export async function pipelineHealth(
  store: HealthStore,
  config: HealthConfig,
  query: PipelineHealthQuery,
): Promise<StageHealth[]> {
  const overridden = Object.keys(config.pipelines.overrides);
  // Pipelines with their own thresholds are queried on their own (their windows may differ);
  // everything else shares one query.
  const groups: { thresholds: PipelineThresholds; only?: string[]; except?: string[] }[] =
    query.pipeline !== undefined
      ? [{ thresholds: pipelineThresholds(config, query.pipeline), only: [query.pipeline] }]
      : [
          { thresholds: config.pipelines.defaults, except: overridden },
          ...overridden.map((name) => ({ thresholds: pipelineThresholds(config, name), only: [name] })),
        ];
  const out: StageHealth[] = [];
  for (const group of groups) {
    const t = group.thresholds;
    const aggregates = await store.pipelineWindows({
      tenant: query.tenant,
      until: query.now,
      windowSeconds: t.windowSeconds,
      recentSeconds: t.recentSeconds,
      trendSeconds: t.trendSeconds,
      forgetAfterSeconds: config.pipelines.forgetAfterSeconds,
      ...(group.only ? { only: group.only } : {}),
      ...(group.except ? { except: group.except } : {}),
    });
    for (const a of aggregates) out.push(stageHealth(a, t, query.now));
  }
  return out.sort((a, b) => a.pipeline.localeCompare(b.pipeline) || a.stage.localeCompare(b.stage));
}
