/** The TypeBox schemas of GET /v1/gpu/idle. */
import Type, { type Static } from 'typebox';

const Group = Type.Union([Type.String(), Type.Null()]);

/** Query string: window bounds as epoch ms, ISO 8601 or a duration ago; the grouping. */
export const IdleQuery = Type.Object({
  from: Type.Optional(Type.String()),
  until: Type.Optional(Type.String()),
  by: Type.Optional(Type.String()),
});
export type IdleQuery = Static<typeof IdleQuery>;

/** One row; group columns not in `by` are null. */
export const IdleRowSchema = Type.Object({
  host: Group,
  gpu: Group,
  uuid: Group,
  mig_instance: Group,
  model_name: Group,
  namespace: Group,
  pod: Group,
  observed_seconds: Type.Number(),
  idle_seconds: Type.Number(),
  idle_ratio: Type.Number(),
  allocated_idle_seconds: Type.Number(),
  unallocated_idle_seconds: Type.Number(),
  data_starved_seconds: Type.Number(),
  idle_cost: Type.Number(),
});

/** The body of GET /v1/gpu/idle. */
export const IdleResponse = Type.Object({
  from: Type.Number(),
  until: Type.Number(),
  threshold: Type.Number(),
  rows: Type.Array(IdleRowSchema),
});
