/** The wire shapes of `GET /v1/models`: the query string and the answer. */
import Type, { type Static } from 'typebox';

/** `?from=&until=&by=`: times as epoch ms, ISO 8601 or a duration ago (`24h`). */
export const ModelsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    until: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    by: Type.Optional(Type.Union([Type.Literal('segment'), Type.Literal('version')])),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type ModelsQuery = Static<typeof ModelsQuery>;

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

/** One model version (and segment) over the window. */
export const ModelSummarySchema = Type.Object({
  model: Type.String(),
  version: Type.String(),
  segment: Type.Union([Type.String(), Type.Null()]),
  predictions: Type.Integer(),
  latency_ms: Type.Object({ p50: NullableNumber, p95: NullableNumber, p99: NullableNumber }),
  labeled: Type.Integer(),
  task: Type.Union([Type.Literal('classification'), Type.Literal('regression'), Type.Null()]),
  quality: Type.Record(Type.String(), NullableNumber),
});

/** The answer of `GET /v1/models`. */
export const ModelsResponse = Type.Object({
  from: Type.Number(),
  until: Type.Number(),
  models: Type.Array(ModelSummarySchema),
});
export type ModelsResponse = Static<typeof ModelsResponse>;
