/** Data pipelines: throughput, lag, queue depth, errors, freshness and status per pipeline and stage. */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { clickhouseVariable, prometheusVariable } from '../datasources.js';
import { factorywatchDashboard, labelVariable } from '../layout.js';
import { prom, promInstant, sql, stat, stateTimeline, table, timeseries, valueMappings } from '../panels.js';
import { PIPELINE_STAGE_SUMMARY } from '../sql/queries.js';

const SEL = 'pipeline=~"$pipeline", stage=~"$stage"';
const STAGE_LEGEND = '{{pipeline}} / {{stage}}';

/** Status names in the order of their severity; the state timeline maps the codes back to names. */
const STATUSES = ['ok', 'degraded', 'queue_growing', 'throughput_collapsed', 'stalled'] as const;
const STATUS_COLOURS = ['green', 'yellow', 'orange', 'red', 'dark-red'] as const;

/** One number per stage: the index of its current status in STATUSES. */
const STATUS_CODE_EXPR = `max by (pipeline, stage) (${STATUSES.map(
  (status, code) => `(factorywatch_pipeline_status{${SEL}, status="${status}"} == 1) * ${code}`,
).join(' or ')})`;

/** The data pipelines dashboard. */
export function pipelinesDashboard(): DashboardBuilder {
  return factorywatchDashboard(
    'fw-pipelines',
    'factorywatch / Data pipelines',
    'Throughput, lag, queue depth, errors, freshness and status of every pipeline stage.',
    ['pipelines'],
  )
    .withVariable(prometheusVariable())
    .withVariable(clickhouseVariable())
    .withVariable(labelVariable('pipeline', 'Pipeline', 'factorywatch_pipeline_rows_total'))
    .withVariable(labelVariable('stage', 'Stage', 'factorywatch_pipeline_rows_total{pipeline=~"$pipeline"}'))
    .withRow(new RowBuilder('Status'))
    .withPanel(
      stat({
        title: 'Stalled stages',
        description:
          'Stages the collector classifies as stalled right now; FactorywatchPipelineStalled fires after 10 minutes.',
        unit: 'short',
        thresholds: [[1, 'red']],
        queries: [
          promInstant(`count(factorywatch_pipeline_status{${SEL}, status="stalled"} == 1) or vector(0)`),
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Worst lag',
        description:
          'The largest latest lag over the selected stages; FactorywatchPipelineLagHigh fires above 15 minutes.',
        unit: 's',
        thresholds: [
          [300, 'yellow'],
          [900, 'red'],
        ],
        queries: [promInstant(`max(factorywatch_pipeline_lag_seconds{${SEL}})`)],
      }),
    )
    .withPanel(
      stateTimeline({
        title: 'Stage status',
        description:
          'The collector classification of each stage over time: ok, degraded, queue growing, throughput collapsed, stalled.',
        unit: 'none',
        mappings: valueMappings(
          STATUSES.map((status, code) => [code, status, STATUS_COLOURS[code] ?? 'red'] as const),
        ),
        queries: [prom(STATUS_CODE_EXPR, STAGE_LEGEND)],
      }),
    )
    .withRow(new RowBuilder('Flow'))
    .withPanel(
      timeseries({
        title: 'Throughput (rows out per second)',
        description:
          'Rows each stage reports as written downstream, per second (factorywatch_pipeline_rows_total).',
        unit: 'cps',
        queries: [
          prom(
            `sum by (pipeline, stage) (rate(factorywatch_pipeline_rows_total{${SEL}}[$__rate_interval]))`,
            STAGE_LEGEND,
          ),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Lag by stage',
        description: 'Latest lag each stage reports (lag_seconds): how far behind real time its output is.',
        unit: 's',
        thresholds: [[900, 'red']],
        queries: [prom(`factorywatch_pipeline_lag_seconds{${SEL}}`, STAGE_LEGEND)],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Queue depth',
        description:
          'Items waiting in front of each stage (queue_depth); a steady climb means consumers fall behind.',
        unit: 'short',
        queries: [prom(`factorywatch_pipeline_queue_depth{${SEL}}`, STAGE_LEGEND)],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Errors per second',
        description: 'Errors each stage reports, per second (factorywatch_pipeline_errors_total).',
        unit: 'cps',
        queries: [
          prom(
            `sum by (pipeline, stage) (rate(factorywatch_pipeline_errors_total{${SEL}}[$__rate_interval]))`,
            STAGE_LEGEND,
          ),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Freshness (time since last success)',
        description: 'Seconds since each stage last reported a successful run.',
        unit: 's',
        queries: [
          prom(`time() - factorywatch_pipeline_last_success_timestamp_seconds{${SEL}}`, STAGE_LEGEND),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Stage reports in range (store)',
        description:
          'From the stored pipeline stats (ClickHouse): reports, rows out, errors, worst lag and newest report (epoch ms) per stage.',
        unit: 'short',
        queries: [sql(PIPELINE_STAGE_SUMMARY)],
      }),
    );
}
