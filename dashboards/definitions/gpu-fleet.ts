/**
 * GPU fleet: the dcgm-exporter metrics Prometheus scrapes directly, per host and GPU, MIG aware.
 * deploy/prometheus/prometheus.yml adds `host` (from Hostname or hostname) and restores
 * `namespace`/`pod` from their `exported_` spellings, so these queries work with every exporter version.
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { prometheusVariable } from '../datasources.js';
import { factorywatchDashboard, labelVariable } from '../layout.js';
import { prom, promInstant, stat, table, timeseries } from '../panels.js';

const SEL = 'host=~"$host", namespace=~"$namespace", pod=~"$pod", modelName=~"$model"';
/** Names the GPU in every legend: host, index, and the MIG profile when there is one. */
const GPU_LEGEND = '{{host}} gpu {{gpu}} {{GPU_I_PROFILE}}';

/** The GPU fleet dashboard. */
export function gpuFleetDashboard(): DashboardBuilder {
  return factorywatchDashboard(
    'fw-gpu-fleet',
    'factorywatch / GPU fleet',
    'Utilisation, memory, power, temperature, clocks and XID errors of every GPU and MIG instance, from dcgm-exporter.',
    ['gpu'],
  )
    .withVariable(prometheusVariable())
    .withVariable(labelVariable('host', 'Host', 'DCGM_FI_DEV_GPU_TEMP'))
    .withVariable(labelVariable('namespace', 'Namespace', 'DCGM_FI_DEV_GPU_TEMP'))
    .withVariable(labelVariable('pod', 'Pod', `DCGM_FI_DEV_GPU_TEMP{namespace=~"$namespace"}`))
    .withVariable(labelVariable('model', 'GPU model', 'DCGM_FI_DEV_GPU_TEMP', 'modelName'))
    .withRow(new RowBuilder('Overview'))
    .withPanel(
      stat({
        title: 'GPUs reporting',
        description:
          'GPUs and MIG instances with a temperature sample in the last scrape (one series per device).',
        unit: 'short',
        queries: [promInstant(`count(DCGM_FI_DEV_GPU_TEMP{${SEL}})`)],
      }),
    )
    .withPanel(
      stat({
        title: 'Mean graphics engine activity',
        description:
          'Average DCGM_FI_PROF_GR_ENGINE_ACTIVE over the selected GPUs: the share of time a kernel was running.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: [
          [0.3, 'yellow'],
          [0.6, 'green'],
        ],
        queries: [promInstant(`avg(DCGM_FI_PROF_GR_ENGINE_ACTIVE{${SEL}})`)],
      }),
    )
    .withPanel(
      stat({
        title: 'Total power draw',
        description: 'Sum of DCGM_FI_DEV_POWER_USAGE over the selected GPUs.',
        unit: 'watt',
        queries: [promInstant(`sum(DCGM_FI_DEV_POWER_USAGE{${SEL}})`)],
      }),
    )
    .withPanel(
      stat({
        title: 'GPUs with XID errors (1h)',
        description:
          'GPUs whose driver reported a non-zero XID in the last hour; see FactorywatchGpuXidError.',
        unit: 'short',
        thresholds: [[1, 'red']],
        queries: [promInstant(`count(max_over_time(DCGM_FI_DEV_XID_ERRORS{${SEL}}[1h]) > 0) or vector(0)`)],
      }),
    )
    .withRow(new RowBuilder('Utilisation'))
    .withPanel(
      timeseries({
        title: 'Graphics engine activity',
        description:
          'DCGM_FI_PROF_GR_ENGINE_ACTIVE per GPU and MIG instance: the activity factorywatch uses for idle accounting.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        queries: [prom(`DCGM_FI_PROF_GR_ENGINE_ACTIVE{${SEL}}`, GPU_LEGEND)],
      }),
    )
    .withPanel(
      timeseries({
        title: 'GPU utilisation (DEV_GPU_UTIL)',
        description:
          'DCGM_FI_DEV_GPU_UTIL: percent of time one or more kernels ran; coarser than engine activity, present on every GPU.',
        unit: 'percent',
        min: 0,
        max: 100,
        queries: [prom(`DCGM_FI_DEV_GPU_UTIL{${SEL}}`, GPU_LEGEND)],
      }),
    )
    .withPanel(
      timeseries({
        title: 'SM and tensor core activity',
        description:
          'DCGM_FI_PROF_SM_ACTIVE and DCGM_FI_PROF_PIPE_TENSOR_ACTIVE: how busy the streaming multiprocessors and tensor cores are.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        queries: [
          prom(`DCGM_FI_PROF_SM_ACTIVE{${SEL}}`, `SM ${GPU_LEGEND}`),
          prom(`DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{${SEL}}`, `tensor ${GPU_LEGEND}`),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'MIG instances',
        description:
          'MIG instances per physical GPU and profile (GPU_I_PROFILE, GPU_I_ID labels); empty when MIG is off.',
        unit: 'short',
        width: 12,
        queries: [
          promInstant(
            `count by (host, gpu, modelName, GPU_I_PROFILE) (DCGM_FI_PROF_GR_ENGINE_ACTIVE{${SEL}, GPU_I_PROFILE!=""})`,
            {
              asTable: true,
            },
          ),
        ],
      }),
    )
    .withRow(new RowBuilder('Memory, power and thermals'))
    .withPanel(
      timeseries({
        title: 'Framebuffer memory used',
        description: 'DCGM_FI_DEV_FB_USED / (FB_USED + FB_FREE): the share of GPU memory allocated.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        queries: [
          prom(
            `DCGM_FI_DEV_FB_USED{${SEL}} / (DCGM_FI_DEV_FB_USED{${SEL}} + DCGM_FI_DEV_FB_FREE{${SEL}})`,
            GPU_LEGEND,
          ),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Framebuffer memory used (MiB)',
        description: 'DCGM_FI_DEV_FB_USED per GPU, in mebibytes.',
        unit: 'mbytes',
        queries: [prom(`DCGM_FI_DEV_FB_USED{${SEL}}`, GPU_LEGEND)],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Power draw',
        description: 'DCGM_FI_DEV_POWER_USAGE per GPU.',
        unit: 'watt',
        queries: [prom(`DCGM_FI_DEV_POWER_USAGE{${SEL}}`, GPU_LEGEND)],
      }),
    )
    .withPanel(
      timeseries({
        title: 'GPU temperature',
        description:
          'DCGM_FI_DEV_GPU_TEMP per GPU; FactorywatchGpuTemperatureHigh fires above 85 °C for 10 minutes.',
        unit: 'celsius',
        thresholds: [
          [80, 'yellow'],
          [85, 'red'],
        ],
        queries: [prom(`DCGM_FI_DEV_GPU_TEMP{${SEL}}`, GPU_LEGEND)],
      }),
    )
    .withPanel(
      timeseries({
        title: 'SM clock',
        description: 'DCGM_FI_DEV_SM_CLOCK per GPU; a drop under load means power or thermal throttling.',
        unit: 'hertz',
        queries: [prom(`DCGM_FI_DEV_SM_CLOCK{${SEL}} * 1e6`, GPU_LEGEND)],
      }),
    )
    .withPanel(
      timeseries({
        title: 'XID errors',
        description:
          'The last XID error code per GPU (DCGM_FI_DEV_XID_ERRORS) while non-zero; err_code names the XID.',
        unit: 'none',
        queries: [
          prom(
            `max_over_time(DCGM_FI_DEV_XID_ERRORS{${SEL}}[5m]) > 0`,
            '{{host}} gpu {{gpu}} xid {{err_code}}',
          ),
        ],
      }),
    );
}
