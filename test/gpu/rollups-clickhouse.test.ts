/**
 * GPU idle rollups on a real ClickHouse server (Debian's 18.16): the report really reads
 * rollups, i.e. samples written behind the store's back stay invisible until a late sample
 * marks their hour stale, and a re-roll brings them in. (The store contract compares rollup-backed
 * and raw results; this shows the rollups are what is read.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseDb } from '../../collector/store/clickhouse/connection.js';
import { openClickHouseStore, type ClickHouseStore } from '../../collector/store/clickhouse/index.js';
import { parseClickHouseUrl } from '../../collector/store/clickhouse/url.js';
import type { GpuIdleQuery } from '../../collector/store/gpu-store.js';
import { startClickHouse, type ClickHouseTestServer } from '../helpers/clickhouse-server.js';
import { batchOf, gpuSampleRow } from '../helpers/rows.js';
import { T0 } from './helpers.js';

const H = 3_600_000;

let server: ClickHouseTestServer;
let store: ClickHouseStore;
let db: ClickHouseDb;
beforeAll(async () => {
  server = await startClickHouse();
  const url = `${server.url}?database=rollups_${process.pid}`;
  store = await openClickHouseStore(url);
  db = await ClickHouseDb.open(parseClickHouseUrl(url));
});
afterAll(async () => {
  await db?.close();
  await store?.close();
  await server?.stop();
});

describe('ClickHouse GPU idle rollups', () => {
  it('keep samples written behind the store invisible until their hour is marked stale', async () => {
    const rows = Array.from({ length: 3 * 120 }, (_, i) =>
      gpuSampleRow({ walSeq: i, ts: T0 + i * 30_000, values: { gpu_util: i % 3 === 0 ? 1 : 80 } }),
    );
    await store.ingest.applyBatch(batchOf('w', 0, rows.length - 1, { gpuSamples: rows }));
    const rollUp = () =>
      store.gpu.rollUpIdle({ threshold: 0.05, closedBefore: T0 + 48 * H, maxBuckets: 100 });
    expect(await rollUp()).toEqual({ buckets: 3, samples: 360, pending: 0 });
    const query: GpuIdleQuery = {
      tenant: 'default',
      from: T0,
      until: T0 + 3 * H,
      threshold: 0.05,
      defaultIntervalMs: 30_000,
      maxIntervalMs: 300_000,
      pipelineRules: [],
      starved: [],
    };
    const before = await store.gpu.idleAggregates(query);
    expect(before).toEqual(await store.gpu.idleAggregates({ ...query, rollups: false }));
    // Idle samples in the middle hour, 15 s after each sample, not through ingest: no stale mark.
    await db.command(
      `INSERT INTO gpu_samples (tenant, ts, host, gpu, uuid, device, pci_bus_id, model_name, driver_version,
         mig_profile, mig_instance, namespace, pod, container, hpc_job, pipeline, xid_err_code, gpu_util,
         extras, labels, wal_id, wal_seq)
       SELECT tenant, ts + 15000, host, gpu, uuid, device, pci_bus_id, model_name, driver_version, mig_profile,
         mig_instance, namespace, pod, container, hpc_job, pipeline, xid_err_code, 0, extras, labels, 'sql', wal_seq
       FROM gpu_samples WHERE ts >= {lo:Int64} AND ts < {hi:Int64}`,
      { lo: T0 + H, hi: T0 + 2 * H },
    );
    const raw = await store.gpu.idleAggregates({ ...query, rollups: false });
    expect(raw[0]?.idleMs).toBeGreaterThan(before[0]?.idleMs ?? Infinity);
    expect(await store.gpu.idleAggregates(query)).toEqual(before);
    // A late sample through ingest marks the hour stale: read raw until rolled up again.
    await store.ingest.applyBatch(
      batchOf('late', 0, 0, { gpuSamples: [gpuSampleRow({ ts: T0 + H + 30_001, values: { gpu_util: 0 } })] }),
    );
    const stale = await store.gpu.idleAggregates(query);
    expect(stale).toEqual(await store.gpu.idleAggregates({ ...query, rollups: false }));
    expect(stale[0]?.idleMs).toBeGreaterThan(raw[0]?.idleMs ?? Infinity);
    expect(await rollUp()).toMatchObject({ buckets: 1, pending: 0 });
    expect(await store.gpu.idleAggregates(query)).toEqual(stale);
  });
});
