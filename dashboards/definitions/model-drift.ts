/** Model drift and data quality: PSI and KS per feature, drifted features, missing values, volume, latency, quality. */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { clickhouseVariable, prometheusVariable } from '../datasources.js';
import { factorywatchDashboard, labelVariable } from '../layout.js';
import {
  prom,
  promInstant,
  sql,
  sqlTimeseries,
  stat,
  stateTimeline,
  table,
  timeseries,
  valueMappings,
} from '../panels.js';
import { FEATURE_MISSING_SHARE, PREDICTIONS_BY_VERSION, PREDICTIONS_PER_MINUTE } from '../sql/queries.js';

const DRIFT_SEL = 'model=~"$model", version=~"$version", feature=~"$feature"';
const MODEL_SEL = 'model=~"$model", version=~"$version"';
const FEATURE_LEGEND = '{{model}} {{version}} {{segment}} {{feature}}';

/** The model drift and data quality dashboard. */
export function modelDriftDashboard(): DashboardBuilder {
  return factorywatchDashboard(
    'fw-model-drift',
    'factorywatch / Model drift & data quality',
    'Drift per model, version, segment and feature (PSI, KS), currently drifted features, missing values, prediction volume, latency and quality.',
    ['models', 'drift'],
  )
    .withVariable(prometheusVariable())
    .withVariable(clickhouseVariable())
    .withVariable(labelVariable('model', 'Model', 'factorywatch_predictions_total'))
    .withVariable(labelVariable('version', 'Version', 'factorywatch_predictions_total{model=~"$model"}'))
    .withVariable(labelVariable('feature', 'Feature', 'factorywatch_drift_psi{model=~"$model"}'))
    .withRow(new RowBuilder('Drift now'))
    .withPanel(
      stat({
        title: 'Drifted features',
        description: 'Features whose default drift decision says drift (factorywatch_drift_detected == 1).',
        unit: 'short',
        thresholds: [[1, 'red']],
        queries: [promInstant(`count(factorywatch_drift_detected{${DRIFT_SEL}} == 1) or vector(0)`)],
      }),
    )
    .withPanel(
      stat({
        title: 'Features in warning',
        description:
          'Features in the warning band (factorywatch_drift_status == 1): shifted, but below the drift decision.',
        unit: 'short',
        thresholds: [[1, 'yellow']],
        queries: [promInstant(`count(factorywatch_drift_status{${DRIFT_SEL}} == 1) or vector(0)`)],
      }),
    )
    .withPanel(
      table({
        title: 'Currently drifted or warning features',
        description: 'Every feature whose drift status is warning (1) or drift (2), with its latest PSI.',
        unit: 'none',
        width: 12,
        height: 8,
        queries: [
          promInstant(`factorywatch_drift_status{${DRIFT_SEL}} > 0`, { asTable: true }),
          promInstant(
            `factorywatch_drift_psi{${DRIFT_SEL}} and on (model, version, segment, feature) (factorywatch_drift_status{${DRIFT_SEL}} > 0)`,
            {
              asTable: true,
            },
          ),
        ],
        transformations: [{ id: 'merge', options: {} }],
      }),
    )
    .withPanel(
      stateTimeline({
        title: 'Drift status per feature',
        description: 'Drift status over time per model, version, segment and feature: ok, warning or drift.',
        unit: 'none',
        mappings: valueMappings([
          [0, 'ok', 'green'],
          [1, 'warning', 'yellow'],
          [2, 'drift', 'red'],
        ]),
        queries: [
          prom(
            `max by (model, version, segment, feature) (factorywatch_drift_status{${DRIFT_SEL}})`,
            FEATURE_LEGEND,
          ),
        ],
      }),
    )
    .withRow(new RowBuilder('Drift statistics'))
    .withPanel(
      timeseries({
        title: 'PSI per feature',
        description:
          'Population stability index of the latest evaluation per feature; 0.1 is a moderate and 0.25 a large shift.',
        unit: 'none',
        thresholds: [
          [0.1, 'yellow'],
          [0.25, 'red'],
        ],
        queries: [prom(`factorywatch_drift_psi{${DRIFT_SEL}}`, FEATURE_LEGEND)],
      }),
    )
    .withPanel(
      timeseries({
        title: 'KS statistic per feature',
        description:
          'Two-sample Kolmogorov-Smirnov D of numeric features (max distance between the two CDFs).',
        unit: 'none',
        min: 0,
        max: 1,
        queries: [prom(`factorywatch_drift_ks_statistic{${DRIFT_SEL}}`, FEATURE_LEGEND)],
      }),
    )
    .withPanel(
      timeseries({
        title: 'KS p-value per feature',
        description:
          'KS p-value of numeric features. At large sample sizes tiny shifts are significant: read it with the D and PSI panels.',
        unit: 'none',
        min: 0,
        max: 1,
        queries: [prom(`factorywatch_drift_ks_pvalue{${DRIFT_SEL}}`, FEATURE_LEGEND)],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Missing-value share per feature',
        description:
          'Share of missing values of each feature in the current window (factorywatch_feature_missing_ratio).',
        unit: 'percentunit',
        min: 0,
        max: 1,
        queries: [prom(`factorywatch_feature_missing_ratio{${DRIFT_SEL}}`, FEATURE_LEGEND)],
      }),
    )
    .withPanel(
      table({
        title: 'Missing-value share per feature (store)',
        description:
          'From the stored feature values (ClickHouse): values seen and the share missing per model and feature in the range.',
        unit: 'percentunit',
        width: 12,
        queries: [sql(FEATURE_MISSING_SHARE)],
      }),
    )
    .withRow(new RowBuilder('Traffic and quality'))
    .withPanel(
      timeseries({
        title: 'Prediction volume by model version',
        description: 'Predictions ingested per second per model version (factorywatch_predictions_total).',
        unit: 'reqps',
        stacked: true,
        queries: [
          prom(
            `sum by (model, version) (rate(factorywatch_predictions_total{${MODEL_SEL}}[$__rate_interval]))`,
            '{{model}} {{version}}',
          ),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Prediction latency p50 / p95 / p99',
        description: 'Latency quantiles per model version from the latency_ms the model servers report.',
        unit: 's',
        queries: [0.5, 0.95, 0.99].map((q) =>
          prom(
            `histogram_quantile(${q}, sum by (le, model, version) (rate(factorywatch_prediction_latency_seconds_bucket{${MODEL_SEL}}[$__rate_interval])))`,
            `p${q * 100} {{model}} {{version}}`,
          ),
        ),
      }),
    )
    .withPanel(
      timeseries({
        title: 'Model quality',
        description:
          'Quality metrics per model version once delayed labels are joined (accuracy, f1, roc_auc, mae, rmse, ...).',
        unit: 'none',
        queries: [prom(`factorywatch_model_quality{${MODEL_SEL}}`, '{{model}} {{version}} {{metric}}')],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Labels ingested',
        description:
          'Delayed ground-truth labels received per second (factorywatch_labels_total); quality needs them.',
        unit: 'reqps',
        queries: [prom('sum(rate(factorywatch_labels_total[$__rate_interval]))', 'labels')],
      }),
    )
    .withPanel(
      sqlTimeseries({
        title: 'Stored predictions per minute (store)',
        description:
          'Predictions per minute as stored (ClickHouse); a gap against the volume panel means a WAL backlog.',
        unit: 'short',
        queries: [sql(PREDICTIONS_PER_MINUTE)],
      }),
    )
    .withPanel(
      table({
        title: 'Predictions by model version (store)',
        description:
          'From the store (ClickHouse): predictions, mean latency (ms) and newest timestamp (epoch ms) per model version in the range.',
        unit: 'short',
        width: 12,
        queries: [sql(PREDICTIONS_BY_VERSION)],
      }),
    );
}
