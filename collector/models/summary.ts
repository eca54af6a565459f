/**
 * Per model, version (and segment): volume, latency quantiles, labelled count and quality over one
 * window. All versions share the window, so canary and stable compare side by side.
 */
import { modelSettings, type HealthConfig } from '../pipeline/config.js';
import type { HealthStore, ModelQualityRow, ModelWindow } from '../store/health-store.js';
import { binaryQuality } from './quality/binary.js';
import { multiclassQuality } from './quality/multiclass.js';
import { regressionQuality } from './quality/regression.js';
import { rocAucFromConcordance } from './quality/roc-auc.js';
import type { Quality } from './quality/types.js';

/** One row of `GET /v1/models`. */
export interface ModelSummary {
  model: string;
  version: string;
  /** null when the row covers every segment. */
  segment: string | null;
  predictions: number;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
  labeled: number;
  /** What the quality figures describe; null before any label arrived. */
  task: 'classification' | 'regression' | null;
  quality: Quality;
}

/** Summaries of every model version in the window, ordered by model, version, segment. */
export async function summarizeModels(
  store: HealthStore,
  config: HealthConfig,
  window: ModelWindow,
): Promise<ModelSummary[]> {
  const thresholds: Record<string, number> = {};
  for (const [model, settings] of Object.entries(config.models.overrides))
    thresholds[model] = settings.decisionThreshold;
  const [traffic, quality] = await Promise.all([
    store.modelTraffic(window),
    store.modelQuality({ ...window, defaultThreshold: config.models.defaults.decisionThreshold, thresholds }),
  ]);
  const tasks = decideTasks(config, quality);
  const qualityByGroup = new Map(quality.map((q) => [groupKey(q), q]));
  return traffic.map((t) => {
    const q = qualityByGroup.get(groupKey(t));
    const task = q && q.labeled > 0 ? (tasks.get(t.model) ?? null) : null;
    return {
      model: t.model,
      version: t.version,
      segment: t.segment,
      predictions: t.predictions,
      latency_ms: { p50: t.latencyP50, p95: t.latencyP95, p99: t.latencyP99 },
      labeled: q?.labeled ?? 0,
      task,
      quality: q && task ? qualityOf(q, task, modelSettings(config, t.model).positiveClass) : {},
    };
  });
}

function groupKey(g: { model: string; version: string; segment: string | null }): string {
  return JSON.stringify([g.model, g.version, g.segment]);
}

/**
 * One task per model (over all its versions, so versions report the same metrics): the configured
 * one, else regression as soon as any numeric label is not 0/1 or any score leaves [0, 1].
 */
function decideTasks(
  config: HealthConfig,
  rows: readonly ModelQualityRow[],
): Map<string, 'classification' | 'regression'> {
  const evidence = new Map<string, { nonBinary: number; numeric: number; named: number }>();
  for (const r of rows) {
    const e = evidence.get(r.model) ?? { nonBinary: 0, numeric: 0, named: 0 };
    e.nonBinary += r.numeric.nonBinary;
    e.numeric += r.numeric.n;
    e.named += r.cells.reduce((sum, c) => sum + c.count, 0);
    evidence.set(r.model, e);
  }
  const tasks = new Map<string, 'classification' | 'regression'>();
  for (const [model, e] of evidence) {
    const configured = modelSettings(config, model).task;
    if (configured !== 'auto') tasks.set(model, configured);
    else if (e.nonBinary > 0 && e.numeric >= e.named) tasks.set(model, 'regression');
    else if (e.numeric > 0 || e.named > 0) tasks.set(model, 'classification');
  }
  return tasks;
}

function qualityOf(
  q: ModelQualityRow,
  task: 'classification' | 'regression',
  positiveClass: string | null,
): Quality {
  const n = q.numeric;
  if (task === 'regression') return n.n > 0 ? regressionQuality(n) : {};
  const named = q.cells.reduce((sum, c) => sum + c.count, 0);
  if (named > n.positives + n.negatives) return multiclassQuality(q.cells, positiveClass);
  if (n.positives + n.negatives === 0) return {};
  return { ...binaryQuality(n), roc_auc: rocAucFromConcordance(n.concordance, n.positives, n.negatives) };
}
