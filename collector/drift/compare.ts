/** Offline comparison of two datasets, feature by feature, with every method (`drift compare`). */
import { FactorywatchError } from '../errors.js';
import type { FeatureSettings } from './config.js';
import { isNumericColumn, typedColumn, type DatasetColumn, type RawDataset } from './dataset.js';
import {
  CATEGORICAL_METHODS,
  evaluateCategorical,
  evaluateNumeric,
  NUMERIC_METHODS,
  type FeatureDrift,
  type Method,
} from './evaluate.js';
import { categoricalReference, numericReference } from './reference.js';
import { sortInPlace } from './stats/sort.js';

export interface CompareOptions {
  /** Only these columns (default: every column present in both files). */
  features?: readonly string[];
  /** Only these methods in the output (the decision always uses PSI and the significance test). */
  methods?: readonly Method[];
  /** Settings per feature (thresholds, bins, binning). */
  settingsFor: (feature: string) => FeatureSettings;
  /** Called after each feature, for progress output on long runs. */
  onProgress?: (done: number, total: number, feature: string, elapsedMs: number) => void;
}

/** The features of the comparison and the columns present in only one file. */
export interface Comparison {
  features: FeatureDrift[];
  onlyInReference: string[];
  onlyInCurrent: string[];
}

/** Compares every shared column of two datasets. */
export function compareDatasets(
  reference: RawDataset,
  current: RawDataset,
  options: CompareOptions,
): Comparison {
  const shared = [...reference.columns.keys()].filter((c) => current.columns.has(c));
  let names = shared;
  if (options.features) {
    for (const f of options.features) {
      if (!reference.columns.has(f) || !current.columns.has(f)) {
        const where = reference.columns.has(f) ? 'the current file' : 'the reference file';
        throw new FactorywatchError(
          'QUERY_INVALID',
          `Feature "${f}" is not a column of ${where}.`,
          '--features',
        );
      }
    }
    names = [...options.features];
  }
  const methods = options.methods ? new Set(options.methods) : undefined;
  const started = Date.now();
  const features = names.map((name, i) => {
    const refCells = reference.columns.get(name)!;
    const curCells = current.columns.get(name)!;
    const numeric = isNumericColumn(refCells) && isNumericColumn(curCells);
    const result = compareColumns(
      typedColumn(name, refCells, numeric),
      typedColumn(name, curCells, numeric),
      options.settingsFor(name),
      methods,
    );
    options.onProgress?.(i + 1, names.length, name, Date.now() - started);
    return result;
  });
  return {
    features,
    onlyInReference: [...reference.columns.keys()].filter((c) => !current.columns.has(c)),
    onlyInCurrent: [...current.columns.keys()].filter((c) => !reference.columns.has(c)),
  };
}

/** Compares two typed columns of the same feature. */
export function compareColumns(
  ref: DatasetColumn,
  cur: DatasetColumn,
  settings: FeatureSettings,
  methods?: ReadonlySet<Method>,
): FeatureDrift {
  if (ref.type === 'numeric' && cur.type === 'numeric') {
    const refSorted = presentSorted(ref.values);
    const curSorted = presentSorted(cur.values);
    const reference = numericReference(refSorted, ref.missing, settings.bins, Number.POSITIVE_INFINITY, 1);
    return evaluateNumeric(
      ref.name,
      reference,
      { n: curSorted.length, missing: cur.missing, sorted: curSorted },
      settings,
      1,
      restrict(methods, NUMERIC_METHODS),
    );
  }
  const refCounts = categoryCounts(ref);
  const curCounts = categoryCounts(cur);
  return evaluateCategorical(
    ref.name,
    categoricalReference(refCounts, ref.missing),
    { n: sum(curCounts), missing: cur.missing, counts: curCounts },
    settings,
    restrict(methods, CATEGORICAL_METHODS),
  );
}

function restrict(methods: ReadonlySet<Method> | undefined, applicable: readonly Method[]): Set<Method> {
  return new Set(applicable.filter((m) => !methods || methods.has(m)));
}

/** The non-missing values, sorted (missing = NaN, excluded and counted separately). */
function presentSorted(values: Float64Array): Float64Array {
  const present = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // -0 and +0 tie for every test; one spelling keeps the sort order clean.
    if (!Number.isNaN(v)) present[n++] = v === 0 ? 0 : v;
  }
  return sortInPlace(present.subarray(0, n).slice());
}

function categoryCounts(column: DatasetColumn): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of column.values) {
    if (v === null || typeof v === 'number') continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

function sum(counts: Map<string, number>): number {
  let total = 0;
  for (const c of counts.values()) total += c;
  return total;
}
