/**
 * Which dcgm-exporter label fills which field of a GPU row. dcgm-exporter renamed some labels
 * over the years (Hostname → hostname, UUID → uuid with the old namespace flag, pod_name →
 * pod) and Prometheus prefixes clashing target labels with `exported_`; every spelling maps
 * to one field here so the rest of the collector sees one vocabulary.
 */
import type { GpuSeriesSample } from './parse-exposition.js';

/** The string fields of a GPU row that labels fill. */
export type GpuLabelField =
  | 'host'
  | 'gpu'
  | 'uuid'
  | 'device'
  | 'pciBusId'
  | 'modelName'
  | 'driverVersion'
  | 'migProfile'
  | 'migInstance'
  | 'namespace'
  | 'pod'
  | 'container'
  | 'hpcJob'
  | 'pipeline'
  | 'xidErrCode';

/** A label's field and how much it is trusted when several spellings of one field appear. */
export interface LabelRole {
  readonly field: GpuLabelField;
  /** Higher wins: `exported_pod` (the workload) beats `pod` (then the exporter's own pod). */
  readonly priority: number;
}

const BASE_SPELLINGS: ReadonlyArray<readonly [string, GpuLabelField, number]> = [
  ['Hostname', 'host', 2],
  ['hostname', 'host', 2],
  ['gpu', 'gpu', 2],
  ['UUID', 'uuid', 2],
  ['uuid', 'uuid', 2],
  ['device', 'device', 2],
  ['pci_bus_id', 'pciBusId', 2],
  ['modelName', 'modelName', 2],
  ['model_name', 'modelName', 1],
  ['DCGM_FI_DRIVER_VERSION', 'driverVersion', 2],
  ['GPU_I_PROFILE', 'migProfile', 2],
  ['GPU_I_ID', 'migInstance', 2],
  ['namespace', 'namespace', 2],
  ['pod_namespace', 'namespace', 1],
  ['pod', 'pod', 2],
  ['pod_name', 'pod', 1],
  ['container', 'container', 2],
  ['container_name', 'container', 1],
  ['hpc_job', 'hpcJob', 2],
  ['pipeline', 'pipeline', 2],
  ['err_code', 'xidErrCode', 2],
];

/** Role of every label spelling the collector understands; `exported_X` outranks `X`. */
export const LABEL_ROLES: ReadonlyMap<string, LabelRole> = new Map(
  BASE_SPELLINGS.flatMap(([name, field, priority]) => [
    [name, { field, priority }] as const,
    [`exported_${name}`, { field, priority: priority + 10 }] as const,
  ]),
);

/** The labelled string fields of a row, all empty. */
export function emptyLabelFields(): Record<GpuLabelField, string> {
  return {
    host: '',
    gpu: '',
    uuid: '',
    device: '',
    pciBusId: '',
    modelName: '',
    driverVersion: '',
    migProfile: '',
    migInstance: '',
    namespace: '',
    pod: '',
    container: '',
    hpcJob: '',
    pipeline: '',
    xidErrCode: '',
  };
}

/**
 * Adds a scrape target's configured labels to a parsed row: a known spelling fills its field
 * only when the exposition left it empty (the exporter knows its GPUs best); any other label is
 * kept in `labels` unless the exposition already set it.
 */
export function applyTargetLabels(
  row: GpuSeriesSample,
  targetLabels: Readonly<Record<string, string>>,
): void {
  for (const name in targetLabels) {
    const value = targetLabels[name] as string;
    const role = LABEL_ROLES.get(name);
    if (role !== undefined) {
      if (row[role.field] === '') row[role.field] = value;
    } else if (!(name in row.labels)) {
      row.labels[name] = value;
    }
  }
}
