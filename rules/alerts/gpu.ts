/**
 * GPU alerts. Idle and data-starved come from the collector's own idle accounting; temperature
 * and XID come straight from dcgm-exporter, which Prometheus scrapes with the relabelling in
 * deploy/prometheus/prometheus.yml (it adds the `host` label whether the exporter writes
 * `Hostname` or `hostname`).
 */
import type { AlertDefinition } from '../types.js';

const GPU_IDENTITY = 'host, gpu, uuid, mig_instance, model_name, namespace, pod';
const DCGM_IDENTITY = 'host, gpu, UUID, modelName';

export const GPU_ALERTS: readonly AlertDefinition[] = [
  {
    name: 'FactorywatchGpuIdleHigh',
    group: 'gpu',
    // Only allocated GPUs (a pod holds them): an unallocated idle GPU is a capacity question
    // for the dashboards, not something to wake anyone for.
    expr: `max by (${GPU_IDENTITY}) (factorywatch_gpu_idle_ratio{pod!=""}) > 0.8`,
    for: '30m',
    severity: 'warning',
    summary:
      'GPU {{ $labels.gpu }} on {{ $labels.host }} is idle while allocated to {{ $labels.namespace }}/{{ $labels.pod }}',
    description:
      'GPU {{ $labels.gpu }} ({{ $labels.model_name }}, uuid {{ $labels.uuid }}) on {{ $labels.host }} was idle for ' +
      '{{ $value | humanizePercentage }} of the last hour while pod {{ $labels.namespace }}/{{ $labels.pod }} holds it.',
  },
  {
    name: 'FactorywatchGpuDataStarved',
    group: 'gpu',
    // The counter grows by one second per idle second while the job's pipeline starves, so a
    // rate above 0.5 means the GPU spent more than half of the window waiting for data.
    expr: `sum by (${GPU_IDENTITY}) (rate(factorywatch_gpu_data_starved_seconds_total[15m])) > 0.5`,
    for: '15m',
    severity: 'warning',
    summary:
      'GPU {{ $labels.gpu }} on {{ $labels.host }} is starved of data ({{ $labels.namespace }}/{{ $labels.pod }})',
    description:
      'GPU {{ $labels.gpu }} on {{ $labels.host }} allocated to {{ $labels.namespace }}/{{ $labels.pod }} spent ' +
      '{{ $value | humanizePercentage }} of the last 15 minutes idle while its input pipeline had an empty queue or growing lag.',
  },
  {
    name: 'FactorywatchGpuTemperatureHigh',
    group: 'gpu',
    expr: `max by (${DCGM_IDENTITY}) (DCGM_FI_DEV_GPU_TEMP) > 85`,
    for: '10m',
    severity: 'warning',
    summary: 'GPU {{ $labels.gpu }} on {{ $labels.host }} runs at {{ $value }} °C',
    description:
      'GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.host }} has been above 85 °C for ' +
      '10 minutes; data-centre GPUs throttle their clocks near 87-90 °C.',
  },
  {
    name: 'FactorywatchGpuXidError',
    group: 'gpu',
    // DCGM_FI_DEV_XID_ERRORS holds the code of the last XID error; any non-zero value within
    // the window means the driver reported a fault.
    expr: `max by (${DCGM_IDENTITY}, err_code) (max_over_time(DCGM_FI_DEV_XID_ERRORS[5m])) > 0`,
    for: '0m',
    severity: 'critical',
    summary: 'GPU {{ $labels.gpu }} on {{ $labels.host }} reported XID error {{ $value }}',
    description:
      'The NVIDIA driver reported XID {{ $value }} on GPU {{ $labels.gpu }} ({{ $labels.UUID }}) of {{ $labels.host }}. ' +
      'XIDs 48, 63, 64, 74, 79, 94 and 95 usually mean a hardware fault or a GPU that fell off the bus.',
  },
];
