/** The wire shapes of `GET /v1/pipelines/health`: the query string and the answer. */
import Type, { type Static } from 'typebox';
import { PIPELINE_STATUSES } from './status.js';

/** `?pipeline=&at=`: one pipeline only; evaluate at another time (epoch ms or ISO 8601) than now. */
export const PipelinesQuery = Type.Object(
  {
    pipeline: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    at: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type PipelinesQuery = Static<typeof PipelinesQuery>;

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

/** One stage's health. */
export const StageHealthSchema = Type.Object({
  pipeline: Type.String(),
  stage: Type.String(),
  status: Type.Union(PIPELINE_STATUSES.map((s) => Type.Literal(s))),
  reasons: Type.Array(Type.String()),
  throughput_rows_per_s: Type.Number(),
  output_input_ratio: NullableNumber,
  lag_seconds: NullableNumber,
  lag_slope_per_s: NullableNumber,
  queue_depth: NullableNumber,
  queue_slope_per_s: NullableNumber,
  error_rate: Type.Number(),
  last_seen: Type.Number(),
  last_success: NullableNumber,
  freshness_seconds: NullableNumber,
  /** Starved by the rule that makes GPU idle data-starved: an empty queue or growing lag. */
  starved: Type.Boolean(),
});

/** The answer of `GET /v1/pipelines/health`. */
export const PipelinesResponse = Type.Object({
  at: Type.Number(),
  pipelines: Type.Array(StageHealthSchema),
});
export type PipelinesResponse = Static<typeof PipelinesResponse>;
