/**
 * Online drift: pins references (from a window or an uploaded dataset, or "use the previous
 * window") and evaluates a scope's current window against them, from store aggregates.
 */
import type { DriftScope, DriftStore, DriftWindow, StoredReference } from '../store/drift-store.js';
import { featureSettings, type DriftConfig } from './config.js';
import { isNumericColumn, typedColumn } from './dataset.js';
import { evaluateCategorical, evaluateNumeric, sketchEdges, type FeatureDrift } from './evaluate.js';
import {
  categoricalReference,
  numericReference,
  psiBins,
  type CategoricalReference,
  type FeatureReference,
  type NumericReference,
} from './reference.js';
import { sortedCopy } from './stats/sort.js';

/** One evaluated feature with where it came from. */
export interface ScopeEvaluation {
  scope: DriftScope;
  evaluatedAt: number;
  window: { from: number; to: number };
  referenceSource: 'window' | 'dataset' | 'previous';
  features: FeatureDrift[];
}

/** A summary of a pinned reference, per feature. */
export interface PinnedFeature {
  feature: string;
  type: 'numeric' | 'categorical';
  n: number;
  missing: number;
  sketch: boolean;
}

/** Builds the references of every feature of a window (what "pin from a window" stores). */
export async function referencesFromWindow(
  store: DriftStore,
  window: DriftWindow,
  config: DriftConfig,
): Promise<Map<string, FeatureReference>> {
  const counts = await store.featureCounts(window);
  const numericNames = counts.filter((c) => c.numeric > 0 && c.categorical === 0).map((c) => c.feature);
  const categoricalNames = counts.filter((c) => c.categorical > 0).map((c) => c.feature);
  const [columns, categories] = await Promise.all([
    store.numericColumns(window, numericNames),
    store.categoryCounts(window, categoricalNames),
  ]);
  const out = new Map<string, FeatureReference>();
  for (const c of counts) {
    const settings = featureSettings(config, window.model, c.feature);
    const column = columns.get(c.feature);
    if (column) {
      out.set(
        c.feature,
        numericReference(column, c.missing, settings.bins, config.exactMaxRows, config.sketchSize),
      );
    } else {
      out.set(c.feature, categoricalReference(categories.get(c.feature) ?? new Map(), c.missing));
    }
  }
  return out;
}

/** References from uploaded records (feature → value maps), typed like `drift compare` types columns. */
export function referencesFromRecords(
  records: readonly Record<string, unknown>[],
  model: string,
  config: DriftConfig,
): Map<string, FeatureReference> {
  const names = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) names.add(k);
  const out = new Map<string, FeatureReference>();
  for (const name of names) {
    const cells = records.map((r) => {
      const v = r[name];
      return typeof v === 'number' || typeof v === 'string'
        ? v
        : v === undefined || v === null
          ? null
          : String(v);
    });
    const column = typedColumn(name, cells, isNumericColumn(cells));
    const settings = featureSettings(config, model, name);
    // The same typing and missing rules as the offline comparison.
    if (column.type === 'numeric') {
      const present = sortedCopy(
        Float64Array.from(
          Array.from(column.values).filter((v) => !Number.isNaN(v)),
          (v) => (v === 0 ? 0 : v),
        ),
      );
      out.set(
        name,
        numericReference(present, column.missing, settings.bins, config.exactMaxRows, config.sketchSize),
      );
    } else {
      const counts = new Map<string, number>();
      for (const v of column.values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
      out.set(name, categoricalReference(counts, column.missing));
    }
  }
  return out;
}

/** Stores references for a scope (replacing the previous ones). */
export async function pinReferences(
  store: DriftStore,
  scope: DriftScope,
  references: Map<string, FeatureReference>,
  source: 'window' | 'dataset',
  window: { from: number; to: number } | null,
  now: number,
): Promise<PinnedFeature[]> {
  const rows: StoredReference[] = [...references].map(([feature, ref]) =>
    toStored(scope, feature, ref, source, window, now),
  );
  await store.replaceReferences(scope, rows);
  return [...references].map(([feature, ref]) => ({
    feature,
    type: ref.kind,
    n: ref.n,
    missing: ref.missing,
    sketch: ref.kind === 'numeric' && ref.sketch,
  }));
}

function toStored(
  scope: DriftScope,
  feature: string,
  ref: FeatureReference,
  source: 'window' | 'dataset',
  window: { from: number; to: number } | null,
  now: number,
): StoredReference {
  const common = {
    ...scope,
    feature,
    source,
    createdAt: now,
    windowFrom: window?.from ?? null,
    windowTo: window?.to ?? null,
    n: ref.n,
    missing: ref.missing,
  };
  if (ref.kind === 'categorical') {
    return {
      ...common,
      kind: 'categorical',
      sample: null,
      sketch: false,
      sketchCounts: null,
      bins: 0,
      psiEdges: null,
      psiCounts: null,
      std: null,
      categories: [...ref.counts],
    };
  }
  return {
    ...common,
    kind: 'numeric',
    sample: ref.sample,
    sketch: ref.sketch,
    sketchCounts: ref.sketchCounts,
    bins: ref.bins,
    psiEdges: ref.psiEdges,
    psiCounts: ref.psiCounts,
    std: ref.std,
    categories: null,
  };
}

function fromStored(row: StoredReference): FeatureReference {
  if (row.kind === 'categorical') {
    return { kind: 'categorical', n: row.n, missing: row.missing, counts: new Map(row.categories ?? []) };
  }
  return {
    kind: 'numeric',
    n: row.n,
    missing: row.missing,
    sample: row.sample ?? new Float64Array(0),
    sketch: row.sketch,
    sketchCounts: row.sketchCounts,
    bins: row.bins,
    psiEdges: row.psiEdges ?? new Float64Array(0),
    psiCounts: row.psiCounts ?? new Float64Array(1),
    std: row.std ?? 0,
  };
}

/**
 * Evaluates a scope's window [to − windowSeconds, to): pinned references when the scope has
 * them, otherwise (mode `previous` or nothing pinned) the window just before.
 */
export async function evaluateScope(
  store: DriftStore,
  scope: DriftScope,
  config: DriftConfig,
  to: number,
): Promise<ScopeEvaluation> {
  const from = to - config.windowSeconds * 1000;
  const window: DriftWindow = { ...scope, from, to };
  const mode = await store.referenceMode(scope);
  let referenceSource: ScopeEvaluation['referenceSource'] = 'previous';
  let references = new Map<string, FeatureReference>();
  if (mode?.mode !== 'previous') {
    const stored = await store.references(scope);
    if (stored.length > 0) {
      referenceSource = stored[0]!.source;
      for (const row of stored) references.set(row.feature, fromStored(row));
    }
  }
  if (referenceSource === 'previous') {
    references = await referencesFromWindow(store, { ...scope, from: from - (to - from), to: from }, config);
  }

  const counts = await store.featureCounts(window);
  const countsByFeature = new Map(counts.map((c) => [c.feature, c]));
  const numericRefs = [...references].filter((e): e is [string, NumericReference] => e[1].kind === 'numeric');
  const categoricalRefs = [...references].filter(
    (e): e is [string, CategoricalReference] => e[1].kind === 'categorical',
  );

  // Small windows: the sorted columns (exact KS). Large ones: histograms in the store (sketch).
  const exactNames = numericRefs
    .filter(([f]) => (countsByFeature.get(f)?.numeric ?? 0) <= config.exactMaxRows)
    .map(([f]) => f);
  const [columns, categories] = await Promise.all([
    store.numericColumns(window, exactNames),
    store.categoryCounts(
      window,
      categoricalRefs.map(([f]) => f),
    ),
  ]);

  const features: FeatureDrift[] = [];
  for (const [feature, ref] of numericRefs) {
    const settings = featureSettings(config, scope.model, feature);
    const c = countsByFeature.get(feature);
    const missing = c?.missing ?? 0;
    const sorted = columns.get(feature);
    if (sorted) {
      features.push(
        evaluateNumeric(feature, ref, { n: sorted.length, missing, sorted }, settings, config.sketchSize),
      );
    } else {
      const [psiCounts, sketchCounts] = await Promise.all([
        store.histogram(window, feature, psiBins(ref, settings.bins).edges),
        store.histogram(window, feature, sketchEdges(ref, config.sketchSize)),
      ]);
      const n = c?.numeric ?? 0;
      features.push(
        evaluateNumeric(
          feature,
          ref,
          { n, missing, sorted: null, psiCounts, sketchCounts },
          settings,
          config.sketchSize,
        ),
      );
    }
  }
  for (const [feature, ref] of categoricalRefs) {
    const settings = featureSettings(config, scope.model, feature);
    const curCounts = categories.get(feature) ?? new Map<string, number>();
    let n = 0;
    for (const v of curCounts.values()) n += v;
    features.push(
      evaluateCategorical(
        feature,
        ref,
        { n, missing: countsByFeature.get(feature)?.missing ?? 0, counts: curCounts },
        settings,
      ),
    );
  }
  // Features seen now but absent from the reference are reported, not dropped.
  for (const c of counts) {
    if (references.has(c.feature)) continue;
    features.push({
      feature: c.feature,
      type: c.categorical > 0 ? 'categorical' : 'numeric',
      n_ref: 0,
      n_cur: c.numeric + c.categorical,
      missing_ref: 0,
      missing_cur: c.missing,
      drift: false,
      status: 'no_data',
      reasons: [
        referenceSource === 'previous'
          ? 'no values in the previous window'
          : 'the reference has no such feature',
      ],
      methods: {},
    });
  }
  features.sort((a, b) => (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0));
  return { scope, evaluatedAt: Date.now(), window: { from, to }, referenceSource, features };
}

/** Stores an evaluation in drift_results. */
export async function saveEvaluation(store: DriftStore, evaluation: ScopeEvaluation): Promise<void> {
  await store.insertResults(
    evaluation.features.map((f) => ({
      ...evaluation.scope,
      feature: f.feature,
      evaluatedAt: evaluation.evaluatedAt,
      windowFrom: evaluation.window.from,
      windowTo: evaluation.window.to,
      type: f.type,
      status: f.status,
      drift: f.drift,
      psi: f.methods.psi?.value ?? null,
      ksStatistic: f.methods.ks?.statistic ?? null,
      ksPvalue: f.methods.ks?.p_value ?? null,
      missingRatio: f.missing_cur + f.n_cur === 0 ? 0 : f.missing_cur / (f.missing_cur + f.n_cur),
      referenceSource: evaluation.referenceSource,
      report: JSON.stringify(f),
    })),
  );
}
