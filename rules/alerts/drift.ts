/** Model drift alerts, on the gauges collector/drift exports per model, version, segment and feature. */
import type { AlertDefinition } from '../types.js';

const BY_FEATURE = 'model, version, segment, feature';

export const DRIFT_ALERTS: readonly AlertDefinition[] = [
  {
    name: 'FactorywatchDriftDetected',
    group: 'drift',
    // The collector's default decision already combines significance with effect size, so
    // the alert trusts it rather than re-deriving thresholds from PSI or KS here.
    expr: `max by (${BY_FEATURE}) (factorywatch_drift_detected) == 1`,
    for: '15m',
    severity: 'critical',
    summary: 'Feature {{ $labels.feature }} of model {{ $labels.model }} {{ $labels.version }} has drifted',
    description:
      'The drift decision for feature {{ $labels.feature }} (segment {{ $labels.segment }}) of model {{ $labels.model }} ' +
      'version {{ $labels.version }} has said "drift" for 15 minutes: the production distribution no longer matches the reference.',
  },
  {
    name: 'FactorywatchDriftWarning',
    group: 'drift',
    expr: `max by (${BY_FEATURE}) (factorywatch_drift_status) == 1`,
    for: '30m',
    severity: 'warning',
    summary: 'Feature {{ $labels.feature }} of model {{ $labels.model }} {{ $labels.version }} is drifting',
    description:
      'Feature {{ $labels.feature }} (segment {{ $labels.segment }}) of model {{ $labels.model }} version {{ $labels.version }} ' +
      'has been in the warning band for 30 minutes: a moderate shift that has not yet crossed the drift decision.',
  },
];
