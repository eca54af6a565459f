import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_REPORTED_ERRORS,
  parseExposition,
  type GpuSeriesSample,
} from '../../collector/gpu/parse-exposition.js';

const RECEIVED = Date.UTC(2026, 0, 1, 12);
const SAMPLE = readFileSync('/work/shared/data/dcgm-exporter-sample.prom', 'utf8');
const H100_0 = 'GPU-927d7444-b45a-7c49-8402-5e686e46a026';
const H100_1 = 'GPU-72ad4d20-cfed-f08d-c894-f620962ca3e4';
const A100_MIG = 'GPU-ed1353d6-52ba-8793-7230-4d5d3eb68167';

function byUuid(rows: GpuSeriesSample[], uuid: string, migInstance = ''): GpuSeriesSample {
  const row = rows.find((r) => r.uuid === uuid && r.migInstance === migInstance);
  if (!row) throw new Error(`no row for ${uuid}/${migInstance}`);
  return row;
}

describe('parseExposition on the real dcgm-exporter scrape', () => {
  const parsed = parseExposition(SAMPLE, RECEIVED);

  it('makes one wide row per GPU series with every family in its typed column', () => {
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toHaveLength(3);
    const gpu0 = byUuid(parsed.rows, H100_0);
    expect(gpu0).toEqual({
      ts: RECEIVED,
      host: 'gpu-node-1',
      gpu: '0',
      uuid: H100_0,
      device: 'nvidia0',
      pciBusId: '00000000:00:09.0',
      modelName: 'NVIDIA H100 80GB HBM3',
      driverVersion: '535.183.01',
      migProfile: '',
      migInstance: '',
      namespace: 'ml',
      pod: 'train-0',
      container: 'trainer',
      hpcJob: '',
      pipeline: '',
      values: {
        gpu_util: 87,
        power_usage_watts: 312.457,
        gr_engine_active: 0.812345,
        fb_used_mib: 61234,
        xid_errors: 0,
        total_energy_mj: 2293374125,
      },
      extras: {},
      labels: { err_msg: 'No Error' },
      xidErrCode: '0',
    });
  });

  it('leaves an unallocated GPU without pod fields', () => {
    const gpu1 = byUuid(parsed.rows, H100_1);
    expect(gpu1.pod).toBe('');
    expect(gpu1.namespace).toBe('');
    expect(gpu1.values).toEqual({ gpu_util: 0, power_usage_watts: 71.204 });
  });

  it('keeps a MIG instance as its own series with its profile', () => {
    const mig = byUuid(parsed.rows, A100_MIG, '1');
    expect(mig.migProfile).toBe('3g.40gb');
    expect(mig.host).toBe('gpu-node-2');
    expect(mig.values).toEqual({ gr_engine_active: 0 });
  });
});

describe('parseExposition label spellings', () => {
  it('accepts hostname, uuid, pod_name/pod_namespace/container_name and hpc_job', () => {
    const { rows, errors } = parseExposition(
      'DCGM_FI_DEV_GPU_UTIL{gpu="3",uuid="GPU-a",hostname="n7",pod_name="p",pod_namespace="ns",container_name="c",hpc_job="job-42",pipeline="etl"} 12\n',
      RECEIVED,
    );
    expect(errors).toEqual([]);
    expect(rows[0]).toMatchObject({
      host: 'n7',
      uuid: 'GPU-a',
      gpu: '3',
      pod: 'p',
      namespace: 'ns',
      container: 'c',
      hpcJob: 'job-42',
      pipeline: 'etl',
    });
  });

  it('prefers exported_* (the workload) over the plain label Prometheus attached, keeping the latter verbatim', () => {
    const { rows } = parseExposition(
      'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",Hostname="n1",pod="dcgm-exporter-x",namespace="gpu-operator",exported_pod="train-1",exported_namespace="ml",exported_container="t",instance="10.0.0.1:9400",job="dcgm"} 5\n',
      RECEIVED,
    );
    expect(rows[0]).toMatchObject({ pod: 'train-1', namespace: 'ml', container: 't' });
    expect(rows[0]?.labels).toEqual({
      pod: 'dcgm-exporter-x',
      namespace: 'gpu-operator',
      instance: '10.0.0.1:9400',
      job: 'dcgm',
    });
  });

  it('unescapes label values and allows "}" and "," inside them', () => {
    const { rows, errors } = parseExposition(
      'X_UNKNOWN{gpu="0",UUID="GPU-a",note="a \\"quoted\\" \\\\ back},slash\\nnext",} 1.5\n',
      RECEIVED,
    );
    expect(errors).toEqual([]);
    expect(rows[0]?.labels).toEqual({ note: 'a "quoted" \\ back},slash\nnext' });
    expect(rows[0]?.extras).toEqual({ X_UNKNOWN: 1.5 });
  });
});

describe('parseExposition timestamps and rows', () => {
  it('splits one series into one row per millisecond timestamp and merges families per timestamp', () => {
    const body = [
      'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a"} 10 1000',
      'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a"} 20 2000',
      'DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a"} 40 1000',
      'DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a"} 41 2000',
      'DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a"} 42',
    ].join('\n');
    const { rows } = parseExposition(body, RECEIVED);
    expect(rows.map((r) => [r.ts, r.values])).toEqual([
      [1000, { gpu_util: 10, gpu_temp_celsius: 40 }],
      [2000, { gpu_util: 20, gpu_temp_celsius: 41 }],
      [RECEIVED, { gpu_temp_celsius: 42 }],
    ]);
  });

  it('separates the same UUID on two hosts and two MIG instances of one GPU', () => {
    const body = [
      'DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",UUID="GPU-a",GPU_I_PROFILE="1g.10gb",GPU_I_ID="7",Hostname="h"} 0.1',
      'DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",UUID="GPU-a",GPU_I_PROFILE="1g.10gb",GPU_I_ID="8",Hostname="h"} 0.2',
      'DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",UUID="GPU-a",Hostname="other"} 0.3',
    ].join('\n');
    const { rows } = parseExposition(body, RECEIVED);
    expect(rows.map((r) => [r.host, r.migInstance, r.values.gr_engine_active])).toEqual([
      ['h', '7', 0.1],
      ['h', '8', 0.2],
      ['other', '', 0.3],
    ]);
  });

  it('gives the same rows whatever the family order', () => {
    const lines = SAMPLE.split('\n');
    const families: string[][] = [];
    for (const line of lines) {
      if (line.startsWith('# HELP')) families.push([]);
      families[families.length - 1]?.push(line);
    }
    const shuffled = [...families].reverse().flat().join('\n');
    const sortRows = (rows: GpuSeriesSample[]) =>
      [...rows].sort((a, b) => (a.uuid + a.migInstance).localeCompare(b.uuid + b.migInstance));
    expect(sortRows(parseExposition(shuffled, RECEIVED).rows)).toEqual(
      sortRows(parseExposition(SAMPLE, RECEIVED).rows),
    );
  });

  it('reads CRLF line endings, blank lines, comments and special float spellings', () => {
    const body =
      '# a comment\r\n\r\n  DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a"}  7  \r\nDCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a"} NaN\r\nDCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-a"} +Inf\r\nDCGM_FI_DEV_SM_CLOCK{gpu="0",UUID="GPU-a"} 1.41e3\r\n';
    const { rows, errors } = parseExposition(body, RECEIVED);
    expect(errors).toEqual([]);
    expect(rows[0]?.values).toEqual({ gpu_util: 7, sm_clock_mhz: 1410 });
  });
});

describe('parseExposition malformed input', () => {
  it('skips and reports malformed lines with 1-based line numbers, keeping the good ones', () => {
    const body = [
      '# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).',
      'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a"} 50',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b"',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b"} fifty',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b"} 5 12.5',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b"} 5 100 extra',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID=GPU-b} 5',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1",gpu="2",UUID="GPU-b"} 5',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b\\x"} 5',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1" UUID="GPU-b"} 5',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b} 5',
      'DCGM_FI_DEV_GPU_UTIL 5',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b"}',
      '3DCGM{gpu="1"} 5',
      'DCGM-X{gpu="1"} 5',
      'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a"} 60 1000',
    ].join('\n');
    const { rows, errors, malformedLines } = parseExposition(body, RECEIVED);
    expect(errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(malformedLines).toBe(13);
    expect(errors[1]?.message).toContain('"fifty" is not a number');
    expect(errors[5]?.message).toContain('appears twice');
    expect(errors[9]?.message).toContain('neither a UUID/uuid nor a gpu label');
    expect(rows.map((r) => [r.uuid, r.ts, r.values.gpu_util])).toEqual([
      ['GPU-a', RECEIVED, 50],
      ['GPU-a', 1000, 60],
    ]);
  });

  it('caps the listed errors but counts every malformed line', () => {
    const body = 'garbage!\n'.repeat(MAX_REPORTED_ERRORS + 5);
    const { errors, malformedLines } = parseExposition(body, RECEIVED);
    expect(errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(malformedLines).toBe(MAX_REPORTED_ERRORS + 5);
  });

  it('never throws, whatever the body', () => {
    const alphabet = fc.constantFrom(...'DCGM_{}="\\,. \n\r#0123456789aeINfu+-'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 200 }), fc.string(), (noise, anything) => {
        const parsed = parseExposition(noise + anything, RECEIVED);
        for (const e of parsed.errors) expect(e.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });
});
