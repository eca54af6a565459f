/**
 * The drift queries a store answers. Business logic (collector/drift) asks for aggregates and
 * columns of one window of prediction_features; the store keeps references and results.
 * Windows are half-open [from, to) in epoch milliseconds.
 */

/** One model version and segment of one tenant. */
export interface DriftScope {
  tenant: string;
  model: string;
  version: string;
  segment: string;
}

/** A scope over a time window [from, to). */
export interface DriftWindow extends DriftScope {
  from: number;
  to: number;
}

/** How a feature's values split in a window. */
export interface FeatureCounts {
  feature: string;
  /** Values with a number. */
  numeric: number;
  /** Values with a string (category). */
  categorical: number;
  /** Rows where the feature was null. */
  missing: number;
}

/** A stored reference of one feature (see collector/drift/reference.ts for the meaning). */
export interface StoredReference extends DriftScope {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** How it was pinned. */
  source: 'window' | 'dataset';
  createdAt: number;
  windowFrom: number | null;
  windowTo: number | null;
  n: number;
  missing: number;
  /** Numeric: sorted values, or the sketch's quantile values when `sketch`. */
  sample: Float64Array | null;
  sketch: boolean;
  sketchCounts: Float64Array | null;
  bins: number;
  psiEdges: Float64Array | null;
  psiCounts: Float64Array | null;
  std: number | null;
  /** Categorical: [category, count] pairs. */
  categories: [string, number][] | null;
}

/** Which reference a scope uses when it has none pinned per feature. */
export interface ReferenceMode extends DriftScope {
  mode: 'pinned' | 'previous';
  updatedAt: number;
}

/** One stored evaluation of one feature; `report` is the FeatureDrift JSON. */
export interface DriftResultRow extends DriftScope {
  feature: string;
  evaluatedAt: number;
  windowFrom: number;
  windowTo: number;
  type: 'numeric' | 'categorical';
  status: 'ok' | 'warning' | 'drift' | 'no_data';
  drift: boolean;
  psi: number | null;
  ksStatistic: number | null;
  ksPvalue: number | null;
  missingRatio: number;
  referenceSource: string;
  report: string;
}

/** Filters of the latest-results query (absent = any). */
export interface DriftResultFilter {
  model?: string;
  version?: string;
  segment?: string;
  feature?: string;
}

export interface DriftStore {
  /** Model/version/segment combinations with predictions in [from, to), every tenant. */
  scopes(from: number, to: number): Promise<DriftScope[]>;
  /** Per feature of the window: numeric, categorical and missing counts (ordered by feature). */
  featureCounts(window: DriftWindow): Promise<FeatureCounts[]>;
  /** The numeric values of each listed feature in the window, each ascending, as Float64Arrays. */
  numericColumns(window: DriftWindow, features: readonly string[]): Promise<Map<string, Float64Array>>;
  /** Counts per right-closed bin (−∞, e1], (e1, e2], …, (ek, +∞) of a feature's numeric values. */
  histogram(window: DriftWindow, feature: string, edges: Float64Array): Promise<Float64Array>;
  /** Category counts of each listed feature (numbers in a categorical feature count as their text). */
  categoryCounts(window: DriftWindow, features: readonly string[]): Promise<Map<string, Map<string, number>>>;
  /** Replaces the scope's references by these (all features at once) and sets its mode to pinned. */
  replaceReferences(scope: DriftScope, references: readonly StoredReference[]): Promise<void>;
  /** The scope's pinned references, one per feature. */
  references(scope: DriftScope): Promise<StoredReference[]>;
  /** Sets how the scope picks its reference (`previous` drops pinned references). */
  setReferenceMode(mode: ReferenceMode): Promise<void>;
  /** The scope's reference mode, if one was set. */
  referenceMode(scope: DriftScope): Promise<ReferenceMode | undefined>;
  /** Appends evaluation results. */
  insertResults(rows: readonly DriftResultRow[]): Promise<void>;
  /** The newest result per (model, version, segment, feature) of a tenant. */
  latestResults(tenant: string, filter: DriftResultFilter): Promise<DriftResultRow[]>;
}
