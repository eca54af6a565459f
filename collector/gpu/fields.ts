/**
 * The DCGM fields stored as typed columns of gpu_samples. Any other metric of an exposition
 * body is kept in the row's `extras` map under its metric name.
 */
export interface GpuField {
  /** The metric name dcgm-exporter writes. */
  readonly metric: string;
  /** The gpu_samples column. */
  readonly column: string;
}

export const GPU_FIELDS: readonly GpuField[] = [
  { metric: 'DCGM_FI_DEV_GPU_UTIL', column: 'gpu_util' },
  { metric: 'DCGM_FI_DEV_MEM_COPY_UTIL', column: 'mem_copy_util' },
  { metric: 'DCGM_FI_DEV_ENC_UTIL', column: 'enc_util' },
  { metric: 'DCGM_FI_DEV_DEC_UTIL', column: 'dec_util' },
  { metric: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', column: 'gr_engine_active' },
  { metric: 'DCGM_FI_PROF_SM_ACTIVE', column: 'sm_active' },
  { metric: 'DCGM_FI_PROF_SM_OCCUPANCY', column: 'sm_occupancy' },
  { metric: 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', column: 'pipe_tensor_active' },
  { metric: 'DCGM_FI_PROF_PIPE_FP64_ACTIVE', column: 'pipe_fp64_active' },
  { metric: 'DCGM_FI_PROF_PIPE_FP32_ACTIVE', column: 'pipe_fp32_active' },
  { metric: 'DCGM_FI_PROF_PIPE_FP16_ACTIVE', column: 'pipe_fp16_active' },
  { metric: 'DCGM_FI_PROF_DRAM_ACTIVE', column: 'dram_active' },
  { metric: 'DCGM_FI_PROF_PCIE_TX_BYTES', column: 'pcie_tx_bytes' },
  { metric: 'DCGM_FI_PROF_PCIE_RX_BYTES', column: 'pcie_rx_bytes' },
  { metric: 'DCGM_FI_PROF_NVLINK_TX_BYTES', column: 'nvlink_tx_bytes' },
  { metric: 'DCGM_FI_PROF_NVLINK_RX_BYTES', column: 'nvlink_rx_bytes' },
  { metric: 'DCGM_FI_DEV_FB_USED', column: 'fb_used_mib' },
  { metric: 'DCGM_FI_DEV_FB_FREE', column: 'fb_free_mib' },
  { metric: 'DCGM_FI_DEV_FB_RESERVED', column: 'fb_reserved_mib' },
  { metric: 'DCGM_FI_DEV_POWER_USAGE', column: 'power_usage_watts' },
  { metric: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', column: 'total_energy_mj' },
  { metric: 'DCGM_FI_DEV_GPU_TEMP', column: 'gpu_temp_celsius' },
  { metric: 'DCGM_FI_DEV_MEMORY_TEMP', column: 'memory_temp_celsius' },
  { metric: 'DCGM_FI_DEV_SM_CLOCK', column: 'sm_clock_mhz' },
  { metric: 'DCGM_FI_DEV_MEM_CLOCK', column: 'mem_clock_mhz' },
  { metric: 'DCGM_FI_DEV_XID_ERRORS', column: 'xid_errors' },
  { metric: 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER', column: 'pcie_replay_counter' },
  { metric: 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', column: 'nvlink_bandwidth_total' },
  { metric: 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', column: 'correctable_remapped_rows' },
  { metric: 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', column: 'uncorrectable_remapped_rows' },
  { metric: 'DCGM_FI_DEV_ROW_REMAP_FAILURE', column: 'row_remap_failure' },
  { metric: 'DCGM_FI_DEV_VGPU_LICENSE_STATUS', column: 'vgpu_license_status' },
];

/** Column name by metric name, for the parser's hot path. */
export const GPU_COLUMN_BY_METRIC: ReadonlyMap<string, string> = new Map(
  GPU_FIELDS.map((f) => [f.metric, f.column]),
);
