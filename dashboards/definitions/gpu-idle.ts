/** GPU idle and waste: the collector's idle accounting by namespace, pod and host, and its cost. */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { clickhouseVariable, prometheusVariable } from '../datasources.js';
import { factorywatchDashboard, labelVariable } from '../layout.js';
import { prom, promInstant, sql, stat, table, timeseries } from '../panels.js';
import { GPU_IDLE_SAMPLES_BY_HOST } from '../sql/queries.js';

const SEL = 'host=~"$host", namespace=~"$namespace", pod=~"$pod"';

/** The GPU idle and waste dashboard. */
export function gpuIdleDashboard(): DashboardBuilder {
  return factorywatchDashboard(
    'fw-gpu-idle',
    'factorywatch / GPU idle & waste',
    'Idle ratio and idle GPU-hours by namespace, pod and host; allocated vs unallocated idle, data-starved idle and idle cost.',
    ['gpu', 'cost'],
  )
    .withVariable(prometheusVariable())
    .withVariable(clickhouseVariable())
    .withVariable(labelVariable('host', 'Host', 'factorywatch_gpu_idle_ratio'))
    .withVariable(labelVariable('namespace', 'Namespace', 'factorywatch_gpu_idle_ratio'))
    .withVariable(labelVariable('pod', 'Pod', 'factorywatch_gpu_idle_ratio{namespace=~"$namespace"}'))
    .withRow(new RowBuilder('Waste in the selected range'))
    .withPanel(
      stat({
        title: 'Fleet idle ratio (last hour)',
        description:
          'Mean of factorywatch_gpu_idle_ratio: the idle share of observed GPU time over the last hour. Gaps are unobserved, not idle.',
        unit: 'percentunit',
        thresholds: [
          [0.3, 'yellow'],
          [0.6, 'red'],
        ],
        queries: [promInstant(`avg(factorywatch_gpu_idle_ratio{${SEL}})`)],
      }),
    )
    .withPanel(
      stat({
        title: 'Idle GPU-hours',
        description:
          'Idle GPU time over the dashboard range, allocated or not (factorywatch_gpu_idle_seconds_total / 3600).',
        unit: 'h',
        queries: [promInstant(`sum(increase(factorywatch_gpu_idle_seconds_total{${SEL}}[$__range])) / 3600`)],
      }),
    )
    .withPanel(
      stat({
        title: 'Data-starved GPU-hours',
        description:
          'Allocated idle GPU time while the job pipeline starved (empty queue or growing lag), over the range.',
        unit: 'h',
        queries: [
          promInstant(`sum(increase(factorywatch_gpu_data_starved_seconds_total{${SEL}}[$__range])) / 3600`),
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Idle cost',
        description:
          'Idle GPU-hours times the hourly price of each GPU model (collector price table), over the range.',
        unit: 'currencyUSD',
        queries: [promInstant(`sum(increase(factorywatch_gpu_idle_cost_total{${SEL}}[$__range]))`)],
      }),
    )
    .withRow(new RowBuilder('Idle ratio'))
    .withPanel(
      timeseries({
        title: 'Idle ratio by namespace',
        description:
          'Mean idle ratio of the GPUs each namespace holds; GPUs without a pod show as an empty namespace.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        queries: [prom(`avg by (namespace) (factorywatch_gpu_idle_ratio{${SEL}})`, '{{namespace}}')],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Idle ratio by host',
        description: 'Mean idle ratio of the GPUs of each host.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        queries: [prom(`avg by (host) (factorywatch_gpu_idle_ratio{${SEL}})`, '{{host}}')],
      }),
    )
    .withPanel(
      table({
        title: 'Idle ratio by pod',
        description:
          'Idle ratio of every allocated GPU (pod label present), worst first. FactorywatchGpuIdleHigh fires above 80% for 30 minutes.',
        unit: 'percentunit',
        queries: [promInstant(`sort_desc(factorywatch_gpu_idle_ratio{${SEL}, pod!=""})`, { asTable: true })],
      }),
    )
    .withRow(new RowBuilder('Where the idle time goes'))
    .withPanel(
      timeseries({
        title: 'Idle GPUs: allocated vs unallocated',
        description:
          'Idle seconds per second, i.e. the number of GPUs idle at any moment, split by allocation (a pod holds the GPU or not).',
        unit: 'short',
        stacked: true,
        queries: [
          prom(
            `sum by (allocated) (rate(factorywatch_gpu_idle_seconds_total{${SEL}}[$__rate_interval]))`,
            'allocated={{allocated}}',
          ),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Data-starved GPUs by pod',
        description:
          'Allocated GPUs idle while their pipeline starves, per namespace/pod (starved seconds per second).',
        unit: 'short',
        stacked: true,
        queries: [
          prom(
            `sum by (namespace, pod) (rate(factorywatch_gpu_data_starved_seconds_total{${SEL}}[$__rate_interval]))`,
            '{{namespace}}/{{pod}}',
          ),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Idle GPU-hours and cost by namespace',
        description:
          'Idle GPU-hours and idle cost per namespace over the dashboard range, most expensive first.',
        unit: 'short',
        queries: [
          promInstant(
            `sort_desc(sum by (namespace) (increase(factorywatch_gpu_idle_seconds_total{${SEL}}[$__range])) / 3600)`,
            {
              asTable: true,
            },
          ),
          promInstant(
            `sort_desc(sum by (namespace) (increase(factorywatch_gpu_idle_cost_total{${SEL}}[$__range])))`,
            { asTable: true },
          ),
        ],
        transformations: [{ id: 'merge', options: {} }],
      }),
    )
    .withPanel(
      table({
        title: 'Idle samples by host (store)',
        description:
          'From the stored samples (ClickHouse): GPUs, samples and the share of samples below the 0.05 idle threshold per host.',
        unit: 'short',
        queries: [sql(GPU_IDLE_SAMPLES_BY_HOST)],
      }),
    );
}
