/** Hourly GPU prices: the configured table keyed by modelName, with MIG instances priced by their share. */

/**
 * The hourly price of one series: the model's price (`*` for models not listed, else 0), times
 * the compute share of a MIG instance — `3g.40gb` holds 3 of a GPU's 7 compute slices (4 on an A30).
 *
 * @example gpuHourlyPrice({ 'NVIDIA A100 80GB PCIe': 2.8 }, 'NVIDIA A100 80GB PCIe', '3g.40gb') // 1.2
 */
export function gpuHourlyPrice(
  prices: Readonly<Record<string, number>>,
  modelName: string,
  migProfile: string,
): number {
  const whole = prices[modelName] ?? prices['*'] ?? 0;
  if (migProfile === '') return whole;
  const slices = Number.parseInt(migProfile, 10);
  if (!Number.isFinite(slices) || slices <= 0) return whole;
  const total = modelName.includes('A30') ? 4 : 7;
  return (whole * Math.min(slices, total)) / total;
}
