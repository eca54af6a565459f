/** Evaluates every scope with predictions in the current window (or those matching a filter), stores and publishes the results. */
import type { AppContext } from '../http/context.js';
import type { DriftScope } from '../store/drift-store.js';
import { driftMetrics, recordEvaluation } from './metrics.js';
import { evaluateScope, saveEvaluation, type ScopeEvaluation } from './service.js';

/** Which scopes to evaluate (absent = all). */
export interface RunFilter {
  tenant?: string;
  model?: string;
  version?: string;
  segment?: string;
}

/** Runs the evaluations at `now` and returns them. */
export async function runDrift(ctx: AppContext, filter: RunFilter, now: number): Promise<ScopeEvaluation[]> {
  const config = ctx.config.drift;
  const from = now - config.windowSeconds * 1000;
  const scopes = (await ctx.store.drift.scopes(from, now)).filter((s) => matches(s, filter));
  const metrics = driftMetrics(ctx.registry);
  const evaluations: ScopeEvaluation[] = [];
  for (const scope of scopes) {
    const evaluation = await evaluateScope(ctx.store.drift, scope, config, now);
    await saveEvaluation(ctx.store.drift, evaluation);
    recordEvaluation(metrics, evaluation);
    evaluations.push(evaluation);
  }
  return evaluations;
}

function matches(scope: DriftScope, filter: RunFilter): boolean {
  return (
    (filter.tenant === undefined || scope.tenant === filter.tenant) &&
    (filter.model === undefined || scope.model === filter.model) &&
    (filter.version === undefined || scope.version === filter.version) &&
    (filter.segment === undefined || scope.segment === filter.segment)
  );
}
