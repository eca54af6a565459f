/**
 * The collector's wire format: every ingest record, as a TypeBox schema.
 * The collector validates with these schemas and the SDK's types derive from them,
 * so a wrong record is a compile error for TypeScript callers.
 */
import Type, { type Static } from 'typebox';

/** Length limits of the wire format, shared so the SDK refuses locally what the collector would reject. */
export const WIRE_LIMITS = { name: 200, text: 4096, timestamp: 64 } as const;

/** Epoch milliseconds or an ISO 8601 string. */
export const Timestamp = Type.Union([
  Type.Number(),
  Type.String({ minLength: 1, maxLength: WIRE_LIMITS.timestamp }),
]);
export type Timestamp = Static<typeof Timestamp>;

const Name = Type.String({ minLength: 1, maxLength: WIRE_LIMITS.name });
const Optional = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(schema);

/** A feature value: a number, a category, or null for missing. */
export const FeatureValue = Type.Union([
  Type.Number(),
  Type.String({ maxLength: WIRE_LIMITS.text }),
  Type.Null(),
]);
/**
 * @example
 * ```ts
 * const features: Record<string, FeatureValue> = { distance_km: 1200, carrier: 'UA', weather: null };
 * ```
 */
export type FeatureValue = Static<typeof FeatureValue>;

/** A prediction or label: a number (score, regression output) or a class name. */
export const Outcome = Type.Union([
  Type.Number(),
  Type.String({ maxLength: WIRE_LIMITS.text }),
  Type.Boolean(),
]);
/**
 * @example
 * ```ts
 * const outcomes: Outcome[] = [0.82, 'late', true];
 * ```
 */
export type Outcome = Static<typeof Outcome>;

/** One logged prediction. */
export const PredictionRecord = Type.Object(
  {
    model: Name,
    version: Name,
    ts: Optional(Timestamp),
    request_id: Optional(Type.String({ minLength: 1, maxLength: WIRE_LIMITS.name })),
    segment: Optional(Type.String({ maxLength: WIRE_LIMITS.name })),
    features: Type.Record(Type.String({ minLength: 1, maxLength: WIRE_LIMITS.name }), FeatureValue),
    prediction: Outcome,
    label: Optional(Outcome),
    latency_ms: Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);
/**
 * @example
 * ```ts
 * const record: PredictionRecord = { model: 'flight-delay', version: '3', features: { distance_km: 1200 }, prediction: 0.8, latency_ms: 2 };
 * ```
 */
export type PredictionRecord = Static<typeof PredictionRecord>;

/** Delayed ground truth, joined to a prediction by request_id. */
export const LabelRecord = Type.Object(
  {
    request_id: Type.String({ minLength: 1, maxLength: WIRE_LIMITS.name }),
    label: Outcome,
    ts: Optional(Timestamp),
  },
  { additionalProperties: false },
);
/**
 * @example
 * ```ts
 * const record: LabelRecord = { request_id: 'req-7f3a', label: true };
 * ```
 */
export type LabelRecord = Static<typeof LabelRecord>;

/** One report of a data-pipeline stage. */
export const PipelineStatRecord = Type.Object(
  {
    pipeline: Name,
    stage: Name,
    ts: Optional(Timestamp),
    run_id: Optional(Type.String({ minLength: 1, maxLength: WIRE_LIMITS.name })),
    rows_in: Type.Number({ minimum: 0 }),
    rows_out: Type.Number({ minimum: 0 }),
    bytes: Optional(Type.Number({ minimum: 0 })),
    lag_seconds: Optional(Type.Number({ minimum: 0 })),
    queue_depth: Optional(Type.Number({ minimum: 0 })),
    errors: Optional(Type.Number({ minimum: 0 })),
    duration_ms: Optional(Type.Number({ minimum: 0 })),
    status: Optional(Type.Union([Type.Literal('ok'), Type.Literal('failed'), Type.Literal('running')])),
  },
  { additionalProperties: false },
);
/**
 * @example
 * ```ts
 * const record: PipelineStatRecord = { pipeline: 'nightly', stage: 'join', rows_in: 10_000, rows_out: 9_874 };
 * ```
 */
export type PipelineStatRecord = Static<typeof PipelineStatRecord>;

/** The JSON envelope of every ingest route; NDJSON bodies carry one record per line instead. */
export const RecordsEnvelope = Type.Object({ records: Type.Array(Type.Unknown()) });

/** One record the collector refused, with where and why. */
export const RejectedRecord = Type.Object({
  index: Type.Integer(),
  code: Type.String(),
  message: Type.String(),
  path: Type.String(),
});
export type RejectedRecord = Static<typeof RejectedRecord>;

/** The 202 answer of every ingest route. */
export const IngestResponse = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Array(RejectedRecord),
});
export type IngestResponse = Static<typeof IngestResponse>;

/** Every error answer: a stable code, a message that says what to do, and where. */
export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    path: Type.Optional(Type.String()),
  }),
});
export type ErrorResponse = Static<typeof ErrorResponse>;
