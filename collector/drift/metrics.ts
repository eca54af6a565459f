/** The drift gauges of docs/metrics.md (labels model, version, segment, feature), updated after each evaluation. */
import { Gauge, type Registry } from 'prom-client';
import type { ScopeEvaluation } from './service.js';

const LABELS = ['model', 'version', 'segment', 'feature'] as const;
type Label = (typeof LABELS)[number];

/** The drift metric handles. */
export interface DriftMetrics {
  readonly psi: Gauge<Label>;
  readonly ksStatistic: Gauge<Label>;
  readonly ksPvalue: Gauge<Label>;
  readonly detected: Gauge<Label>;
  readonly status: Gauge<Label>;
  readonly missingRatio: Gauge<Label>;
}

const cache = new WeakMap<Registry, DriftMetrics>();
const STATUS_VALUE = { ok: 0, warning: 1, drift: 2 } as const;

/** The drift metrics on `registry`, created on first use (the scheduler and the routes share them). */
export function driftMetrics(registry: Registry): DriftMetrics {
  let metrics = cache.get(registry);
  if (metrics) return metrics;
  const gauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: LABELS, registers: [registry] });
  metrics = {
    psi: gauge('factorywatch_drift_psi', 'PSI of the latest drift evaluation.'),
    ksStatistic: gauge(
      'factorywatch_drift_ks_statistic',
      'KS statistic D of the latest evaluation (numeric features).',
    ),
    ksPvalue: gauge(
      'factorywatch_drift_ks_pvalue',
      'KS p-value of the latest evaluation (numeric features).',
    ),
    detected: gauge('factorywatch_drift_detected', '1 when the default decision says drift.'),
    status: gauge('factorywatch_drift_status', 'Drift status: 0 ok, 1 warning, 2 drift.'),
    missingRatio: gauge('factorywatch_feature_missing_ratio', 'Missing-value share in the current window.'),
  };
  cache.set(registry, metrics);
  return metrics;
}

/** Sets every gauge from an evaluation; a value that is undefined (no data, not numeric) is removed. */
export function recordEvaluation(metrics: DriftMetrics, evaluation: ScopeEvaluation): void {
  const { model, version, segment } = evaluation.scope;
  for (const f of evaluation.features) {
    const labels = { model, version, segment, feature: f.feature };
    const set = (gauge: Gauge<Label>, value: number | null | undefined) => {
      if (value === null || value === undefined) gauge.remove(labels);
      else gauge.set(labels, value);
    };
    set(metrics.psi, f.methods.psi?.value);
    set(metrics.ksStatistic, f.methods.ks?.statistic);
    set(metrics.ksPvalue, f.methods.ks?.p_value);
    set(metrics.detected, f.status === 'no_data' ? null : f.drift ? 1 : 0);
    set(metrics.status, f.status === 'no_data' ? null : STATUS_VALUE[f.status]);
    const total = f.n_cur + f.missing_cur;
    set(metrics.missingRatio, total === 0 ? null : f.missing_cur / total);
  }
}
