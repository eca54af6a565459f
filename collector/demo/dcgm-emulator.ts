/**
 * An emulated dcgm-exporter for the demo and tests: /metrics in the exact text format of
 * dcgm-exporter 4.x (families in random order per scrape, `%f` values, labels in its order),
 * for a small fleet that exercises the idle analysis:
 * - gpu-node-1 (`Hostname`): 4 × H100; train-0 is fed by the `training-loader` pipeline and
 *   idles whenever it stalls (the demo feed's schedule: 2 minutes in every 10); a serving pod
 *   with idle stretches; an unallocated idle GPU; a mostly idle notebook.
 * - gpu-node-2 (`hostname`, the newer spelling): an A100 split by MIG into two 3g.40gb instances
 *   (one allocated, one not) and a whole A100 running a Slurm job (`hpc_job`).
 * - gpu-node-3: a T4 without profiling metrics (activity falls back to GPU_UTIL).
 * Deterministic given the seed and the clock.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from './seeded-random.js';

type Workload = 'training' | 'serving' | 'unallocated' | 'notebook' | 'batch' | 'hpc' | 'etl';

interface EmulatedGpu {
  host: string;
  hostLabel: 'Hostname' | 'hostname';
  gpu: number;
  uuid: string;
  pciBusId: string;
  modelName: string;
  driver: string;
  mig?: { profile: string; id: number };
  profiling: boolean;
  fbTotalMiB: number;
  maxPowerW: number;
  workload: Workload;
  /** Extra labels, written sorted after the standard ones. */
  extra: Record<string, string>;
}

/** The pipeline that feeds train-0 in the demo (collector/demo/feeds.ts reports its stats). */
export const EMULATED_STARVING_PIPELINE = 'training-loader';

/** The demo feed's stall schedule for the training loader: minutes 0–1 of every 10. */
export function trainingLoaderStalled(nowMs: number): boolean {
  return Math.floor(nowMs / 60_000) % 10 < 2;
}

const H100 = 'NVIDIA H100 80GB HBM3';
const A100 = 'NVIDIA A100 80GB PCIe';
const T4 = 'Tesla T4';

const FLEET: readonly EmulatedGpu[] = [
  gpu(
    'gpu-node-1',
    'Hostname',
    0,
    'GPU-927d7444-b45a-7c49-8402-5e686e46a026',
    '00000000:00:09.0',
    H100,
    'training',
    {
      container: 'trainer',
      namespace: 'ml',
      pod: 'train-0',
      pipeline: EMULATED_STARVING_PIPELINE,
    },
  ),
  gpu(
    'gpu-node-1',
    'Hostname',
    1,
    'GPU-72ad4d20-cfed-f08d-c894-f620962ca3e4',
    '00000000:00:0A.0',
    H100,
    'serving',
    {
      container: 'server',
      namespace: 'serving',
      pod: 'ranker-7f9c4-x2x8p',
    },
  ),
  gpu(
    'gpu-node-1',
    'Hostname',
    2,
    'GPU-3b9a5c1e-0d2f-4a6b-9c8d-7e6f5a4b3c2d',
    '00000000:00:0B.0',
    H100,
    'unallocated',
    {},
  ),
  gpu(
    'gpu-node-1',
    'Hostname',
    3,
    'GPU-5e4d3c2b-1a09-8f7e-6d5c-4b3a29180f7e',
    '00000000:00:0C.0',
    H100,
    'notebook',
    {
      container: 'notebook',
      namespace: 'research',
      pod: 'jupyter-alice',
    },
  ),
  {
    ...gpu(
      'gpu-node-2',
      'hostname',
      0,
      'GPU-ed1353d6-52ba-8793-7230-4d5d3eb68167',
      '00000000:17:00.0',
      A100,
      'batch',
      {
        container: 'embedder',
        namespace: 'ml',
        pod: 'batch-embed-0',
      },
    ),
    mig: { profile: '3g.40gb', id: 1 },
  },
  {
    ...gpu(
      'gpu-node-2',
      'hostname',
      0,
      'GPU-ed1353d6-52ba-8793-7230-4d5d3eb68167',
      '00000000:17:00.0',
      A100,
      'unallocated',
      {},
    ),
    mig: { profile: '3g.40gb', id: 2 },
  },
  gpu(
    'gpu-node-2',
    'hostname',
    1,
    'GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9',
    '00000000:65:00.0',
    A100,
    'hpc',
    {
      hpc_job: 'slurm-4411',
    },
  ),
  {
    ...gpu(
      'gpu-node-3',
      'Hostname',
      0,
      'GPU-c0ffee00-1234-5678-9abc-def012345678',
      '00000000:3B:00.0',
      T4,
      'etl',
      {
        container: 'worker',
        namespace: 'data',
        pod: 'etl-worker-0',
      },
    ),
    profiling: false,
  },
];

function gpu(
  host: string,
  hostLabel: 'Hostname' | 'hostname',
  index: number,
  uuid: string,
  pciBusId: string,
  modelName: string,
  workload: Workload,
  extra: Record<string, string>,
): EmulatedGpu {
  const t4 = modelName === T4;
  return {
    host,
    hostLabel,
    gpu: index,
    uuid,
    pciBusId,
    modelName,
    driver: host === 'gpu-node-2' ? '550.54.15' : '535.183.01',
    profiling: true,
    fbTotalMiB: t4 ? 15360 : 81559,
    maxPowerW: t4 ? 70 : modelName === H100 ? 700 : 300,
    workload,
    extra,
  };
}

/** Activity (0–1) of a workload at `nowMs`; `noise` is in [0, 1). */
function activityOf(workload: Workload, nowMs: number, noise: number): number {
  const minute = Math.floor(nowMs / 60_000);
  switch (workload) {
    case 'training':
      return trainingLoaderStalled(nowMs) ? 0.01 * noise : 0.72 + 0.2 * noise;
    case 'serving':
      // Traffic comes in waves: idle one 20-minute stretch in three.
      return Math.floor(minute / 20) % 3 === 0 ? 0.02 * noise : 0.35 + 0.3 * noise;
    case 'unallocated':
      return 0;
    case 'notebook':
      return minute % 30 < 5 ? 0.5 + 0.3 * noise : 0.03 * noise;
    case 'batch':
      return Math.floor(minute / 15) % 2 === 0 ? 0.85 + 0.1 * noise : 0;
    case 'hpc':
      return 0.9 + 0.08 * noise;
    case 'etl':
      return minute % 10 < 6 ? 0.4 + 0.4 * noise : 0.01;
  }
}

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  /** Only GPUs with profiling metrics (and MIG instances) have PROF families. */
  profiling: boolean;
  /** GPU_UTIL and a few device fields are not reported per MIG instance. */
  wholeGpuOnly: boolean;
  value: (s: GpuState) => string;
}

interface GpuState {
  spec: EmulatedGpu;
  activity: number;
  noise: () => number;
  nowMs: number;
}

const f6 = (x: number) => x.toFixed(6);
const int = (x: number) => String(Math.round(x));

const FAMILIES: readonly Family[] = [
  fam('DCGM_FI_DEV_SM_CLOCK', 'SM clock frequency (in MHz).', 'gauge', false, false, (s) =>
    int(s.activity > 0.05 ? 1980 : 345),
  ),
  fam('DCGM_FI_DEV_MEM_CLOCK', 'Memory clock frequency (in MHz).', 'gauge', false, false, () => '2619'),
  fam('DCGM_FI_DEV_MEMORY_TEMP', 'Memory temperature (in C).', 'gauge', false, true, (s) =>
    int(32 + 30 * s.activity),
  ),
  fam('DCGM_FI_DEV_GPU_TEMP', 'GPU temperature (in C).', 'gauge', false, true, (s) =>
    int(30 + 40 * s.activity + 2 * s.noise()),
  ),
  fam('DCGM_FI_DEV_POWER_USAGE', 'Power draw (in W).', 'gauge', false, true, (s) =>
    f6(s.spec.maxPowerW * (0.1 + 0.8 * s.activity) + s.noise()),
  ),
  fam(
    'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
    'Total energy consumption since boot (in mJ).',
    'counter',
    false,
    true,
    (s) => int(((s.nowMs / 1000) % 1e7) * s.spec.maxPowerW * 500),
  ),
  fam('DCGM_FI_DEV_PCIE_REPLAY_COUNTER', 'Total number of PCIe retries.', 'counter', false, true, () => '0'),
  fam('DCGM_FI_DEV_GPU_UTIL', 'GPU utilization (in %).', 'gauge', false, true, (s) =>
    int(Math.min(100, s.activity * 100 * (s.activity > 0.05 ? 1.15 : 1))),
  ),
  fam('DCGM_FI_DEV_MEM_COPY_UTIL', 'Memory utilization (in %).', 'gauge', false, true, (s) =>
    int(s.activity * 40),
  ),
  fam('DCGM_FI_DEV_ENC_UTIL', 'Encoder utilization (in %).', 'gauge', false, true, () => '0'),
  fam('DCGM_FI_DEV_DEC_UTIL', 'Decoder utilization (in %).', 'gauge', false, true, () => '0'),
  fam('DCGM_FI_DEV_XID_ERRORS', 'Value of the last XID error encountered.', 'gauge', false, true, () => '0'),
  fam('DCGM_FI_DEV_FB_FREE', 'Framebuffer memory free (in MiB).', 'gauge', false, false, (s) =>
    int(framebufferTotal(s) - framebufferUsed(s) - 520),
  ),
  fam('DCGM_FI_DEV_FB_USED', 'Framebuffer memory used (in MiB).', 'gauge', false, false, (s) =>
    int(framebufferUsed(s)),
  ),
  fam('DCGM_FI_DEV_FB_RESERVED', 'Framebuffer memory reserved (in MiB).', 'gauge', false, false, () => '520'),
  fam(
    'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS',
    'Number of remapped rows for correctable errors',
    'counter',
    false,
    true,
    () => '0',
  ),
  fam(
    'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS',
    'Number of remapped rows for uncorrectable errors',
    'counter',
    false,
    true,
    () => '0',
  ),
  fam(
    'DCGM_FI_DEV_ROW_REMAP_FAILURE',
    'Whether remapping of rows has failed',
    'gauge',
    false,
    true,
    () => '0',
  ),
  fam('DCGM_FI_DEV_VGPU_LICENSE_STATUS', 'vGPU License status', 'gauge', false, true, () => '0'),
  fam(
    'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL',
    'Total number of NVLink bandwidth counters for all lanes.',
    'counter',
    false,
    true,
    () => '0',
  ),
  fam(
    'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
    'Ratio of time the graphics engine is active.',
    'gauge',
    true,
    false,
    (s) => f6(s.activity),
  ),
  fam(
    'DCGM_FI_PROF_SM_ACTIVE',
    'The ratio of cycles an SM has at least 1 warp assigned.',
    'gauge',
    true,
    false,
    (s) => f6(s.activity * 0.93),
  ),
  fam(
    'DCGM_FI_PROF_SM_OCCUPANCY',
    'The ratio of number of warps resident on an SM.',
    'gauge',
    true,
    false,
    (s) => f6(s.activity * 0.41),
  ),
  fam(
    'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE',
    'Ratio of cycles the tensor (HMMA) pipe is active.',
    'gauge',
    true,
    false,
    (s) => f6(s.activity * 0.55),
  ),
  fam(
    'DCGM_FI_PROF_DRAM_ACTIVE',
    'Ratio of cycles the device memory interface is active sending or receiving data.',
    'gauge',
    true,
    false,
    (s) => f6(s.activity * 0.3),
  ),
  fam(
    'DCGM_FI_PROF_PCIE_TX_BYTES',
    'The rate of data transmitted over the PCIe bus - including both protocol headers and data payloads - in bytes per second.',
    'gauge',
    true,
    false,
    (s) => int(2e8 * s.activity + 1e5 * s.noise()),
  ),
  fam(
    'DCGM_FI_PROF_PCIE_RX_BYTES',
    'The rate of data received over the PCIe bus - including both protocol headers and data payloads - in bytes per second.',
    'gauge',
    true,
    false,
    (s) => int(9e8 * s.activity + 1e5 * s.noise()),
  ),
];

function fam(
  name: string,
  help: string,
  type: 'gauge' | 'counter',
  profiling: boolean,
  wholeGpuOnly: boolean,
  value: (s: GpuState) => string,
): Family {
  return { name, help, type, profiling, wholeGpuOnly, value };
}

function framebufferTotal(s: GpuState): number {
  return s.spec.mig ? 40192 : s.spec.fbTotalMiB;
}

function framebufferUsed(s: GpuState): number {
  return s.spec.workload === 'unallocated' ? 0 : framebufferTotal(s) * (0.2 + 0.6 * s.activity);
}

/** The label block of one GPU in dcgm-exporter's order; `more` are per-family labels (XID). */
function labelBlock(spec: EmulatedGpu, more: Record<string, string> = {}): string {
  const parts = [
    `gpu="${spec.gpu}"`,
    `UUID="${spec.uuid}"`,
    `pci_bus_id="${spec.pciBusId}"`,
    `device="nvidia${spec.gpu}"`,
    `modelName="${spec.modelName}"`,
  ];
  if (spec.mig) parts.push(`GPU_I_PROFILE="${spec.mig.profile}"`, `GPU_I_ID="${spec.mig.id}"`);
  parts.push(`${spec.hostLabel}="${spec.host}"`, `DCGM_FI_DRIVER_VERSION="${spec.driver}"`);
  const extra = { ...spec.extra, ...more };
  for (const name of Object.keys(extra).sort()) parts.push(`${name}="${escapeLabel(extra[name] as string)}"`);
  return parts.join(',');
}

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

export interface EmulatorScrapeOptions {
  seed: number;
  nowMs: number;
  /** Append `nowMs` to every sample, as a recorded trace for import has. */
  timestamps?: boolean;
}

/** One scrape of the emulated fleet at `nowMs`: the exact body GET /metrics answers. */
export function emulatorScrape(options: EmulatorScrapeOptions): string {
  const { seed, nowMs } = options;
  // dcgm-exporter refreshes every 30 s: values (and family order) change per collection tick.
  const tick = Math.floor(nowMs / 30_000);
  const states: GpuState[] = FLEET.map((spec, i) => {
    const noise = mulberry32(seed * 7919 + tick * 104729 + i * 31);
    return { spec, activity: activityOf(spec.workload, nowMs, noise()), noise, nowMs };
  });
  const order = shuffled(FAMILIES.length, mulberry32(seed * 31 + tick));
  const suffix = options.timestamps ? ` ${Math.floor(nowMs)}\n` : '\n';
  let out = '';
  for (const index of order) {
    const family = FAMILIES[index] as Family;
    const members = states.filter(
      (s) => (!family.profiling || s.spec.profiling) && !(family.wholeGpuOnly && s.spec.mig !== undefined),
    );
    if (members.length === 0) continue;
    out += `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`;
    for (const s of members) {
      const more: Record<string, string> =
        family.name === 'DCGM_FI_DEV_XID_ERRORS' ? { err_code: '0', err_msg: 'No Error' } : {};
      out += `${family.name}{${labelBlock(s.spec, more)}} ${family.value(s)}${suffix}`;
    }
  }
  return out;
}

function shuffled(n: number, next: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

export interface DcgmEmulatorOptions {
  port: number;
  host?: string;
  /** Default 1. */
  seed?: number;
  /** Default Date.now; tests pass a fixed clock. */
  now?: () => number;
}

/**
 * Serves the emulated exporter on http://host:port/metrics (port 0 picks a free one).
 *
 * @example const exporter = await startDcgmEmulator({ port: 9400 }); // scrape exporter.url
 */
export async function startDcgmEmulator(
  options: DcgmEmulatorOptions,
): Promise<{ url: string; stop(): Promise<void> }> {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    response
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
      .end(emulatorScrape({ seed, nowMs: now() }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/metrics`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
