/** The readable table of `drift compare` and `drift show`. */
import type { FeatureDrift } from './evaluate.js';

const COLUMNS = [
  'feature',
  'type',
  'n_ref',
  'n_cur',
  'missing',
  'psi',
  'ks_d',
  'ks_p',
  'wass',
  'chi2_p',
  'js',
  'status',
] as const;

/** Renders reports as an aligned text table with a one-line summary. */
export function driftTable(features: readonly FeatureDrift[]): string {
  const rows = features.map((f) => [
    f.feature,
    f.type,
    String(f.n_ref),
    String(f.n_cur),
    `${f.missing_ref}/${f.missing_cur}`,
    num(f.methods.psi?.value),
    num(f.methods.ks?.statistic),
    num(f.methods.ks?.p_value),
    num(f.methods.wasserstein?.value),
    num(f.methods.chisquare?.p_value),
    num(f.methods.jensenshannon?.value),
    f.status === 'drift' ? 'DRIFT' : f.status,
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const drifting = features.filter((f) => f.drift);
  const warning = features.filter((f) => f.status === 'warning');
  const summary =
    `${drifting.length} of ${features.length} features drift` +
    (drifting.length ? ` (${drifting.map((f) => f.feature).join(', ')})` : '') +
    (warning.length ? `; ${warning.length} warning (${warning.map((f) => f.feature).join(', ')})` : '');
  return [line(COLUMNS), ...rows.map(line), '', summary].join('\n') + '\n';
}

function num(x: number | null | undefined): string {
  if (x === undefined) return '-';
  if (x === null) return 'n/a';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  return abs < 1e-3 || abs >= 1e6 ? x.toExponential(1) : x.toFixed(abs < 1 ? 3 : 2);
}
