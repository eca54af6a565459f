/** Collector self-monitoring alerts: ingest quality, WAL pressure, store health and liveness. */
import type { AlertDefinition } from '../types.js';

/** The Prometheus job name the collector is scraped under (deploy/prometheus/prometheus.yml). */
export const COLLECTOR_JOB = 'factorywatch';

export const COLLECTOR_ALERTS: readonly AlertDefinition[] = [
  {
    name: 'FactorywatchIngestRejectionsHigh',
    group: 'collector',
    expr:
      'sum by (stream) (rate(factorywatch_ingest_rejected_total[5m])) / ' +
      '(sum by (stream) (rate(factorywatch_ingest_records_total[5m])) + sum by (stream) (rate(factorywatch_ingest_rejected_total[5m]))) > 0.05',
    for: '10m',
    severity: 'warning',
    summary: 'The collector rejects {{ $value | humanizePercentage }} of {{ $labels.stream }} records',
    description:
      'More than 5% of the {{ $labels.stream }} records sent to the collector have been rejected for 10 minutes. ' +
      'Producers are sending malformed records; the rejection codes say which field is wrong.',
  },
  {
    name: 'FactorywatchWalBacklogHigh',
    group: 'collector',
    expr: 'factorywatch_wal_backlog_bytes / factorywatch_wal_capacity_bytes > 0.8 and factorywatch_wal_capacity_bytes > 0',
    for: '5m',
    severity: 'critical',
    summary: 'The WAL of {{ $labels.instance }} is {{ $value | humanizePercentage }} full',
    description:
      'The write-ahead log of collector {{ $labels.instance }} holds more than 80% of its cap for 5 minutes: the store does ' +
      'not keep up or is down. At 100% ingest answers 503 and producers start dropping data.',
  },
  {
    name: 'FactorywatchStoreDown',
    group: 'collector',
    expr: 'factorywatch_store_up == 0',
    for: '5m',
    severity: 'critical',
    summary: 'Collector {{ $labels.instance }} cannot write to its {{ $labels.store }} store',
    description:
      'The last store operations of collector {{ $labels.instance }} failed for 5 minutes. Ingest is still acknowledged into ' +
      'the WAL, which grows until the store answers again.',
  },
  {
    name: 'FactorywatchGpuScrapeErrors',
    group: 'collector',
    expr: 'sum by (instance, target) (rate(factorywatch_scrape_errors_total[10m])) > 0',
    for: '15m',
    severity: 'warning',
    summary: 'Collector {{ $labels.instance }} fails to scrape dcgm-exporter {{ $labels.target }}',
    description:
      'Scrapes of dcgm-exporter target {{ $labels.target }} have failed for 15 minutes; GPU idle accounting for those GPUs ' +
      'has a gap (gaps count as unobserved, not idle).',
  },
  {
    name: 'FactorywatchCollectorDown',
    group: 'collector',
    expr: `up{job="${COLLECTOR_JOB}"} == 0 or absent(up{job="${COLLECTOR_JOB}"})`,
    for: '5m',
    severity: 'critical',
    summary: 'The factorywatch collector{{ if $labels.instance }} {{ $labels.instance }}{{ end }} is down',
    description:
      'Prometheus has not been able to scrape the collector (job {{ $labels.job }}) for 5 minutes: ingest, drift and idle ' +
      'accounting are stopped and every other factorywatch alert is blind.',
  },
];
