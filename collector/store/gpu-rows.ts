/** The idle-aggregate row both stores' GPU idle queries return, and its mapping. */
import type { GpuIdleAggregate } from './gpu-store.js';

/** One row of the idle-aggregate query (ClickHouse may answer numbers as strings). */
export interface GpuIdleSqlRow {
  host: string;
  uuid: string;
  gpu: string;
  mig_instance: string;
  model_name: string;
  mig_profile: string;
  namespace: string;
  pod: string;
  container: string;
  hpc_job: string;
  pipeline: string;
  observed_ms: number | string;
  idle_ms: number | string;
  starved_ms: number | string;
}

/** One row as the idle report reads it. */
export function gpuIdleAggregateFromRow(r: GpuIdleSqlRow): GpuIdleAggregate {
  return {
    host: String(r.host),
    gpu: String(r.gpu),
    uuid: String(r.uuid),
    migInstance: String(r.mig_instance),
    migProfile: String(r.mig_profile),
    modelName: String(r.model_name),
    namespace: String(r.namespace),
    pod: String(r.pod),
    container: String(r.container),
    hpcJob: String(r.hpc_job),
    pipeline: String(r.pipeline),
    observedMs: Number(r.observed_ms),
    idleMs: Number(r.idle_ms),
    starvedIdleMs: Number(r.starved_ms),
  };
}
