/** Collector health: ingest, rejections, WAL backlog, store writes, dcgm scrapes and HTTP. */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { COLLECTOR_JOB } from '../../rules/alerts/collector.js';
import { clickhouseVariable, prometheusVariable } from '../datasources.js';
import { factorywatchDashboard, labelVariable } from '../layout.js';
import { prom, promInstant, sql, stat, table, timeseries, valueMappings } from '../panels.js';
import { STORED_RECORDS_PER_STREAM } from '../sql/queries.js';

const SEL = 'instance=~"$instance"';

/** The collector health dashboard. */
export function collectorHealthDashboard(): DashboardBuilder {
  return factorywatchDashboard(
    'fw-collector-health',
    'factorywatch / Collector health',
    'Ingest rates, rejections by code, WAL backlog, store write latency and errors, dcgm-exporter scrapes and HTTP traffic.',
    ['collector'],
  )
    .withVariable(prometheusVariable())
    .withVariable(clickhouseVariable())
    .withVariable(labelVariable('instance', 'Collector', 'factorywatch_build_info'))
    .withRow(new RowBuilder('Status'))
    .withPanel(
      stat({
        title: 'Collectors up',
        description: `Collector targets Prometheus scrapes successfully (job ${COLLECTOR_JOB}).`,
        unit: 'short',
        queries: [promInstant(`sum(up{job="${COLLECTOR_JOB}", ${SEL}})`)],
      }),
    )
    .withPanel(
      stat({
        title: 'Store reachable',
        description:
          'factorywatch_store_up of the selected collectors (min): 1 when the last store operation succeeded.',
        unit: 'none',
        mappings: valueMappings([
          [1, 'UP', 'green'],
          [0, 'DOWN', 'red'],
        ]),
        queries: [promInstant(`min(factorywatch_store_up{${SEL}})`)],
      }),
    )
    .withPanel(
      stat({
        title: 'WAL fill',
        description: 'WAL backlog over its cap (worst collector); at 100% ingest answers 503.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: [
          [0.5, 'yellow'],
          [0.8, 'red'],
        ],
        queries: [
          promInstant(
            `max(factorywatch_wal_backlog_bytes{${SEL}} / factorywatch_wal_capacity_bytes{${SEL}})`,
          ),
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Rejected records (range)',
        description: 'Records rejected by validation over the dashboard range, all streams.',
        unit: 'short',
        thresholds: [[1, 'yellow']],
        queries: [
          promInstant(`sum(increase(factorywatch_ingest_rejected_total{${SEL}}[$__range])) or vector(0)`),
        ],
      }),
    )
    .withRow(new RowBuilder('Ingest'))
    .withPanel(
      timeseries({
        title: 'Ingest rate by stream',
        description: 'Records acknowledged into the WAL per second, by stream.',
        unit: 'cps',
        stacked: true,
        queries: [
          prom(
            `sum by (stream) (rate(factorywatch_ingest_records_total{${SEL}}[$__rate_interval]))`,
            '{{stream}}',
          ),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Rejections by code',
        description:
          'Records rejected per second by stream and error code (see the error catalogue in the README).',
        unit: 'cps',
        queries: [
          prom(
            `sum by (stream, code) (rate(factorywatch_ingest_rejected_total{${SEL}}[$__rate_interval]))`,
            '{{stream}} {{code}}',
          ),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'WAL backlog',
        description: 'Bytes in the WAL not yet applied to the store, against the cap.',
        unit: 'bytes',
        queries: [
          prom(`factorywatch_wal_backlog_bytes{${SEL}}`, 'backlog {{instance}}'),
          prom(`factorywatch_wal_capacity_bytes{${SEL}}`, 'cap {{instance}}'),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Stored records per stream (store)',
        description:
          'Records that reached the store (ClickHouse) per stream, and the newest stored timestamp (epoch ms).',
        unit: 'short',
        width: 12,
        queries: [sql(STORED_RECORDS_PER_STREAM)],
      }),
    )
    .withRow(new RowBuilder('Store'))
    .withPanel(
      timeseries({
        title: 'Store write latency p50 / p99',
        description: 'Time to apply one WAL batch to the store.',
        unit: 's',
        queries: [0.5, 0.99].map((q) =>
          prom(
            `histogram_quantile(${q}, sum by (le, store) (rate(factorywatch_store_write_duration_seconds_bucket{${SEL}}[$__rate_interval])))`,
            `p${q * 100} {{store}}`,
          ),
        ),
      }),
    )
    .withPanel(
      timeseries({
        title: 'Rows written by table',
        description: 'Rows applied to the store per second, by logical table.',
        unit: 'cps',
        stacked: true,
        queries: [
          prom(
            `sum by (table) (rate(factorywatch_store_rows_written_total{${SEL}}[$__rate_interval]))`,
            '{{table}}',
          ),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Store write errors',
        description: 'Failed batch applications per second (they are retried; the WAL keeps the data).',
        unit: 'cps',
        queries: [
          prom(
            `sum by (instance, store) (rate(factorywatch_store_write_errors_total{${SEL}}[$__rate_interval]))`,
            '{{instance}} {{store}}',
          ),
        ],
      }),
    )
    .withRow(new RowBuilder('Scrapes and HTTP'))
    .withPanel(
      timeseries({
        title: 'dcgm-exporter scrape errors',
        description:
          'Failed scrapes of configured dcgm-exporter targets per second; idle accounting has gaps meanwhile.',
        unit: 'cps',
        queries: [
          prom(
            `sum by (target) (rate(factorywatch_scrape_errors_total{${SEL}}[$__rate_interval]))`,
            '{{target}}',
          ),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'dcgm-exporter scrape duration',
        description: 'Duration of the last scrape of each dcgm-exporter target.',
        unit: 's',
        queries: [prom(`factorywatch_scrape_duration_seconds{${SEL}}`, '{{target}}')],
      }),
    )
    .withPanel(
      timeseries({
        title: 'HTTP requests by route and status',
        description: 'Requests answered per second by route and HTTP status.',
        unit: 'reqps',
        queries: [
          prom(
            `sum by (route, status) (rate(factorywatch_http_requests_total{${SEL}}[$__rate_interval]))`,
            '{{route}} {{status}}',
          ),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'HTTP latency p99 by route',
        description: '99th percentile request latency per route.',
        unit: 's',
        queries: [
          prom(
            `histogram_quantile(0.99, sum by (le, route) (rate(factorywatch_http_request_duration_seconds_bucket{${SEL}}[$__rate_interval])))`,
            '{{route}}',
          ),
        ],
      }),
    );
}
