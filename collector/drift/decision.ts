/**
 * The default decision: a feature drifts only when the change is both statistically significant
 * and large enough to matter. Significance alone cries wolf at scale (at 1M rows a 0.01σ shift
 * has KS p ≈ 1e-14); effect size alone cries wolf on small samples (PSI of 20 rows is noise).
 *
 *   significant = p < alpha            (KS for numeric features, chi-square for categorical ones)
 *   effect      = drift   when PSI ≥ psiDrift or (numeric) D ≥ ksDrift
 *                 warning when PSI ≥ psiWarn  or (numeric) D ≥ ksWarn
 *   status      = effect when significant, else ok; a missing share that rose by ≥ missingWarn
 *                 is at least a warning. drift = (status = drift). No current data: no_data.
 */
import type { DriftThresholds } from './config.js';

/** ok < warning < drift; no_data when the current window holds no values. */
export type DriftStatus = 'ok' | 'warning' | 'drift' | 'no_data';

/** What the decision looks at. */
export interface DecisionInput {
  type: 'numeric' | 'categorical';
  nCur: number;
  psi: number;
  /** KS D (numeric) */
  ksStatistic?: number;
  /** KS p-value (numeric) or chi-square p-value (categorical); NaN when undefined (e.g. one category). */
  pValue: number;
  missingShareRef: number;
  missingShareCur: number;
}

/** The verdict with the reasons a user can read. */
export interface Decision {
  status: DriftStatus;
  drift: boolean;
  reasons: string[];
}

const LEVEL = { ok: 0, warning: 1, drift: 2 } as const;

/** Applies the documented rule with the given thresholds. */
export function decide(input: DecisionInput, t: DriftThresholds): Decision {
  if (input.nCur === 0)
    return { status: 'no_data', drift: false, reasons: ['no values in the current window'] };
  const reasons: string[] = [];
  const test = input.type === 'numeric' ? 'KS' : 'chi-square';
  const significant = input.pValue < t.alpha;
  let effect = 'ok' as 'ok' | 'warning' | 'drift';
  const raise = (level: 'warning' | 'drift', reason: string) => {
    if (LEVEL[level] > LEVEL[effect]) effect = level;
    reasons.push(reason);
  };
  if (input.psi >= t.psiDrift) raise('drift', `PSI ${fmt(input.psi)} ≥ ${t.psiDrift}`);
  else if (input.psi >= t.psiWarn) raise('warning', `PSI ${fmt(input.psi)} ≥ ${t.psiWarn}`);
  const d = input.ksStatistic;
  if (d !== undefined) {
    if (d >= t.ksDrift) raise('drift', `KS D ${fmt(d)} ≥ ${t.ksDrift}`);
    else if (d >= t.ksWarn) raise('warning', `KS D ${fmt(d)} ≥ ${t.ksWarn}`);
  }
  let status = 'ok' as 'ok' | 'warning' | 'drift';
  if (effect !== 'ok') {
    if (significant) {
      status = effect;
      reasons.push(`${test} p ${fmt(input.pValue)} < ${t.alpha}`);
    } else {
      reasons.push(`but ${test} p ${fmt(input.pValue)} ≥ ${t.alpha}: not significant`);
    }
  } else if (significant) {
    reasons.push(`${test} p ${fmt(input.pValue)} < ${t.alpha} but the effect is small`);
  }
  const missingRise = input.missingShareCur - input.missingShareRef;
  if (missingRise >= t.missingWarn) {
    reasons.push(`missing share rose by ${fmt(missingRise)} (≥ ${t.missingWarn})`);
    if (status === 'ok') status = 'warning';
  }
  return { status, drift: status === 'drift', reasons };
}

function fmt(x: number): string {
  if (Number.isNaN(x)) return 'n/a';
  if (x === 0) return '0';
  return Math.abs(x) < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}
