/**
 * Turns the SDK's camelCase inputs into the collector's snake_case wire records, checking them on
 * the way so a record the collector would reject is refused (and counted) here, at no network cost.
 * This is the hot path of `logPrediction`: one pass over the features that both checks and copies
 * them (the copy protects the queued record from a host that reuses its features object).
 */
import type { FeatureValue, LabelRecord, Outcome, PipelineStatRecord, PredictionRecord } from './wire.js';
import { WIRE_LIMITS } from './wire.js';

/**
 * When a record happened: epoch milliseconds, a Date, or an ISO 8601 string (1970 to 9999).
 *
 * @example
 * ```ts
 * monitor.logPrediction({ features, prediction, ts: new Date('2024-06-01T12:00:00Z') });
 * ```
 */
export type TimeInput = number | Date | string;

/**
 * One prediction, as the host knows it. The types come from the collector's wire schemas, so a
 * wrong value (a boolean feature, an object prediction) is a compile error in TypeScript.
 *
 * @example
 * ```ts
 * const input: PredictionInput = {
 *   features: { distance_km: 1200, carrier: 'XY', dep_hour: 17, weather: null },
 *   prediction: 0.82,
 *   latencyMs: 3.4,
 *   requestId: 'req-7f3a',
 * };
 * monitor.logPrediction(input);
 * ```
 */
export interface PredictionInput {
  /** Feature name → number, category, or null when missing (a non-finite number counts as missing). */
  features: Readonly<Record<string, FeatureValue>>;
  prediction: Outcome;
  /** Ground truth when it is already known; otherwise send it later with `logLabel`. */
  label?: Outcome;
  /** Time the model took, in milliseconds (see `time()`). */
  latencyMs?: number;
  /** Joins a delayed label to this prediction. */
  requestId?: string;
  /** Overrides the monitor's segment for this prediction. */
  segment?: string;
  /** When the prediction was made. Default: now. */
  ts?: TimeInput;
}

/**
 * One report of a pipeline stage's run or progress.
 *
 * @example
 * ```ts
 * const stat: PipelineStatInput = { rowsIn: 10_000, rowsOut: 9_874, errors: 126, durationMs: 5400, status: 'ok' };
 * monitor.pipeline('nightly-features', 'join').record(stat);
 * ```
 */
export interface PipelineStatInput {
  rowsIn: number;
  rowsOut: number;
  bytes?: number;
  lagSeconds?: number;
  queueDepth?: number;
  errors?: number;
  durationMs?: number;
  status?: 'ok' | 'failed' | 'running';
  /** Groups the reports of one run. */
  runId?: string;
  ts?: TimeInput;
}

/** Why an input was refused: `kind` is stable (used to log once per kind), `message` says what to fix. */
export interface InputProblem {
  readonly kind: string;
  readonly message: string;
}

function problem(kind: string, message: string): InputProblem {
  return { kind, message };
}

/**
 * Converts and checks one prediction. Returns the wire record, or the problem that refused it.
 *
 * @example
 * ```ts
 * const out = toPredictionRecord({ features: { x: 1 }, prediction: 1 }, 'm', '1', undefined, Date.now());
 * if ('kind' in out) console.warn(out.message);
 * ```
 */
export function toPredictionRecord(
  input: PredictionInput,
  model: string,
  version: string,
  defaultSegment: string | undefined,
  now: number,
): PredictionRecord | InputProblem {
  if (typeof input !== 'object' || input === null) {
    return problem('prediction:input', 'logPrediction needs an object {features, prediction, ...}');
  }
  const features = copyFeatures(input.features);
  if (isProblem(features)) return features;
  const prediction = input.prediction;
  if (!isOutcome(prediction)) {
    return problem(
      'prediction:prediction',
      `prediction must be a finite number, a string or a boolean, got ${describe(prediction)}`,
    );
  }
  const label = input.label;
  if (label !== undefined && !isOutcome(label)) {
    return problem(
      'prediction:label',
      `label must be a finite number, a string or a boolean, got ${describe(label)}`,
    );
  }
  const latency = input.latencyMs;
  if (latency !== undefined && !(typeof latency === 'number' && latency >= 0 && latency < Infinity)) {
    return problem(
      'prediction:latencyMs',
      `latencyMs must be a finite number >= 0, got ${describe(latency)}`,
    );
  }
  const requestId = input.requestId;
  if (requestId !== undefined && !isId(requestId)) {
    return problem(
      'prediction:requestId',
      `requestId must be a string of 1 to ${WIRE_LIMITS.name} characters`,
    );
  }
  let segment = input.segment;
  if (segment === undefined) segment = defaultSegment;
  else if (typeof segment !== 'string' || segment.length > WIRE_LIMITS.name) {
    return problem(
      'prediction:segment',
      `segment must be a string of at most ${WIRE_LIMITS.name} characters`,
    );
  }
  const ts = input.ts === undefined ? now : toTimestamp(input.ts);
  if (ts === undefined)
    return problem(
      'prediction:ts',
      'ts must be epoch milliseconds, a Date or an ISO 8601 string, between 1970 and 9999',
    );
  // Every record gets the same property order and set (undefined ones vanish in JSON.stringify),
  // so V8 keeps one hidden class for all of them.
  return {
    model,
    version,
    ts,
    request_id: requestId,
    segment,
    features,
    prediction,
    label,
    latency_ms: latency,
  } as PredictionRecord;
}

/**
 * Converts and checks one delayed label.
 *
 * @example
 * ```ts
 * const out = toLabelRecord('req-7f3a', true, Date.now());
 * ```
 */
export function toLabelRecord(requestId: unknown, label: unknown, now: number): LabelRecord | InputProblem {
  if (!isId(requestId)) {
    return problem(
      'label:requestId',
      `logLabel needs a requestId string of 1 to ${WIRE_LIMITS.name} characters`,
    );
  }
  if (!isOutcome(label)) {
    return problem(
      'label:label',
      `label must be a finite number, a string or a boolean, got ${describe(label)}`,
    );
  }
  return { request_id: requestId, label, ts: now };
}

const PIPELINE_COUNTS = [
  ['rowsIn', 'rows_in'],
  ['rowsOut', 'rows_out'],
  ['bytes', 'bytes'],
  ['lagSeconds', 'lag_seconds'],
  ['queueDepth', 'queue_depth'],
  ['errors', 'errors'],
  ['durationMs', 'duration_ms'],
] as const;

/**
 * Converts and checks one pipeline-stage report.
 *
 * @example
 * ```ts
 * const out = toPipelineStatRecord('nightly', 'join', { rowsIn: 10, rowsOut: 9 }, Date.now());
 * ```
 */
export function toPipelineStatRecord(
  pipeline: string,
  stage: string,
  input: PipelineStatInput,
  now: number,
): PipelineStatRecord | InputProblem {
  if (typeof input !== 'object' || input === null) {
    return problem('pipeline:input', 'pipeline(...).record needs an object {rowsIn, rowsOut, ...}');
  }
  const record: Record<string, unknown> = { pipeline, stage, ts: now };
  for (const [from, to] of PIPELINE_COUNTS) {
    const value = input[from];
    if (value === undefined && from !== 'rowsIn' && from !== 'rowsOut') continue;
    if (typeof value !== 'number' || !(value >= 0) || value === Infinity) {
      return problem(`pipeline:${from}`, `${from} must be a finite number >= 0, got ${describe(value)}`);
    }
    record[to] = value;
  }
  if (input.status !== undefined) {
    if (input.status !== 'ok' && input.status !== 'failed' && input.status !== 'running') {
      return problem(
        'pipeline:status',
        `status must be "ok", "failed" or "running", got ${describe(input.status)}`,
      );
    }
    record.status = input.status;
  }
  if (input.runId !== undefined) {
    if (!isId(input.runId))
      return problem('pipeline:runId', `runId must be a string of 1 to ${WIRE_LIMITS.name} characters`);
    record.run_id = input.runId;
  }
  if (input.ts !== undefined) {
    const ts = toTimestamp(input.ts);
    if (ts === undefined)
      return problem(
        'pipeline:ts',
        'ts must be epoch milliseconds, a Date or an ISO 8601 string, between 1970 and 9999',
      );
    record.ts = ts;
  }
  return record as PipelineStatRecord;
}

/** True for a refused input (records never have a `kind` field). */
export function isProblem(value: object): value is InputProblem {
  return (value as Partial<InputProblem>).kind !== undefined;
}

/** Checks that `name` can be a model, pipeline or stage name on the wire. */
export function isName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= WIRE_LIMITS.name;
}

function copyFeatures(features: unknown): Record<string, FeatureValue> | InputProblem {
  if (typeof features !== 'object' || features === null || Array.isArray(features)) {
    return problem(
      'prediction:features',
      `features must be an object of name → number | string | null, got ${describe(features)}`,
    );
  }
  const source = features as Record<string, unknown>;
  const copy: Record<string, FeatureValue> = {};
  for (const key in source) {
    const value = source[key];
    if (typeof value === 'number') {
      // JSON has no NaN or Infinity: such a value is a missing feature, sent as null.
      copy[key] = value - value === 0 ? value : null;
    } else if (typeof value === 'string') {
      if (value.length > WIRE_LIMITS.text) {
        return problem(
          'prediction:features:length',
          `feature "${key}" is longer than ${WIRE_LIMITS.text} characters`,
        );
      }
      copy[key] = value;
    } else if (value === null || value === undefined) {
      copy[key] = null;
    } else {
      return problem(
        'prediction:features:type',
        `feature "${key}" must be a number, a string or null, got ${describe(value)}`,
      );
    }
    if (key.length > WIRE_LIMITS.name || key.length === 0) {
      return problem(
        'prediction:features:name',
        `feature names must have 1 to ${WIRE_LIMITS.name} characters`,
      );
    }
  }
  return copy;
}

function isOutcome(value: unknown): value is Outcome {
  if (typeof value === 'number') return value - value === 0;
  if (typeof value === 'string') return value.length <= WIRE_LIMITS.text;
  return typeof value === 'boolean';
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= WIRE_LIMITS.name;
}

/** The collector's range for ts: 1970-01-01 to 9999-12-31 (collector/ingest/validate.ts). */
const MAX_TIMESTAMP_MS = 253_402_300_799_999;

function toTimestamp(value: TimeInput): number | undefined {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') ms = Date.parse(value);
  else return undefined;
  return ms >= 0 && ms <= MAX_TIMESTAMP_MS ? ms : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}
