/** The TypeBox schemas of the drift routes (request and response bodies). */
import Type, { type Static } from 'typebox';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Segment = Type.String({ maxLength: 200 });
const Num = Type.Union([Type.Number(), Type.Null()]);

/** One feature's report (FeatureDrift). */
export const FeatureDriftSchema = Type.Object({
  feature: Type.String(),
  type: Type.Union([Type.Literal('numeric'), Type.Literal('categorical')]),
  n_ref: Type.Number(),
  n_cur: Type.Number(),
  missing_ref: Type.Number(),
  missing_cur: Type.Number(),
  drift: Type.Boolean(),
  status: Type.String(),
  reasons: Type.Array(Type.String()),
  methods: Type.Object({
    psi: Type.Optional(Type.Object({ value: Num })),
    ks: Type.Optional(
      Type.Object({
        statistic: Num,
        p_value: Num,
        method: Type.String(),
        error_bound: Type.Optional(Type.Number()),
      }),
    ),
    wasserstein: Type.Optional(Type.Object({ value: Num })),
    chisquare: Type.Optional(Type.Object({ statistic: Num, p_value: Num })),
    jensenshannon: Type.Optional(Type.Object({ value: Num })),
  }),
  unseen_categories: Type.Optional(Type.Array(Type.String())),
  approximate: Type.Optional(Type.Boolean()),
});

/** A feature report with its scope and evaluation time, as GET /v1/drift lists them. */
export const DriftResultSchema = Type.Intersect([
  Type.Object({
    model: Type.String(),
    version: Type.String(),
    segment: Type.String(),
    evaluated_at: Type.Number(),
    window_from: Type.Number(),
    window_to: Type.Number(),
    reference_source: Type.String(),
  }),
  FeatureDriftSchema,
]);

export const DriftQuery = Type.Object({
  model: Type.Optional(Name),
  version: Type.Optional(Name),
  segment: Type.Optional(Segment),
  feature: Type.Optional(Name),
});
export type DriftQuery = Static<typeof DriftQuery>;

export const DriftResultsResponse = Type.Object({ results: Type.Array(DriftResultSchema) });

/** POST /v1/drift/reference: pin a window, upload a dataset, or use the previous window. */
export const ReferenceRequest = Type.Object(
  {
    model: Name,
    version: Name,
    segment: Type.Optional(Segment),
    source: Type.Union([Type.Literal('window'), Type.Literal('dataset'), Type.Literal('previous')]),
    /** window: epoch ms, ISO 8601 or a duration ago (`24h`). */
    from: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 64 })])),
    to: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 64 })])),
    /** dataset: one object per row, feature name → number, string or null. */
    records: Type.Optional(
      Type.Array(
        Type.Record(
          Type.String({ minLength: 1, maxLength: 200 }),
          Type.Union([Type.Number(), Type.String(), Type.Null()]),
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type ReferenceRequest = Static<typeof ReferenceRequest>;

export const ReferenceResponse = Type.Object({
  model: Type.String(),
  version: Type.String(),
  segment: Type.String(),
  source: Type.String(),
  window_from: Type.Union([Type.Number(), Type.Null()]),
  window_to: Type.Union([Type.Number(), Type.Null()]),
  features: Type.Array(
    Type.Object({
      feature: Type.String(),
      type: Type.String(),
      n: Type.Number(),
      missing: Type.Number(),
      sketch: Type.Boolean(),
    }),
  ),
});
export type ReferenceResponse = Static<typeof ReferenceResponse>;

export const RunRequest = Type.Object(
  { model: Type.Optional(Name), version: Type.Optional(Name), segment: Type.Optional(Segment) },
  { additionalProperties: false },
);
export type RunRequest = Static<typeof RunRequest>;
