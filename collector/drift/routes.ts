/** `GET /v1/drift`, `POST /v1/drift/reference`, `POST /v1/drift/run`, scoped to the caller's tenant. */
import type { FastifyInstance } from 'fastify';
import { FactorywatchError } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { parseInstant } from '../models/time.js';
import type { FeatureDrift } from './evaluate.js';
import { runDrift } from './run.js';
import {
  DriftQuery,
  DriftResultsResponse,
  ReferenceRequest,
  ReferenceResponse,
  RunRequest,
} from './schemas.js';
import {
  pinReferences,
  referencesFromRecords,
  referencesFromWindow,
  type ScopeEvaluation,
} from './service.js';

/** Registers the drift routes. */
export async function driftRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const config = ctx.config.drift;

  app.get(
    '/v1/drift',
    { schema: { querystring: DriftQuery, response: { 200: DriftResultsResponse } } },
    async (request) => {
      const query = request.query as DriftQuery;
      const tenant = request.principal?.tenant ?? 'default';
      const rows = await ctx.store.drift.latestResults(tenant, query);
      return {
        results: rows.map((r) => ({
          model: r.model,
          version: r.version,
          segment: r.segment,
          evaluated_at: r.evaluatedAt,
          window_from: r.windowFrom,
          window_to: r.windowTo,
          reference_source: r.referenceSource,
          ...(JSON.parse(r.report) as FeatureDrift),
        })),
      };
    },
  );

  app.post(
    '/v1/drift/reference',
    { schema: { body: ReferenceRequest, response: { 201: ReferenceResponse } } },
    async (request, reply) => {
      const answered = await pinReference(
        request.body as ReferenceRequest,
        request.principal?.tenant ?? 'default',
      );
      // Reference changes decide every later drift verdict: the audit trail records who made which.
      ctx.audit.append({
        kind: 'reference_change',
        actor: request.principal?.subject ?? 'anonymous',
        tenant: answered.tenant,
        role: request.principal?.role ?? '',
        auth: 'bearer',
        action: 'drift.reference',
        resource: `drift/${answered.body.model}/${answered.body.version}/${answered.body.segment}`,
        decision: 'allow',
        requestId: request.id,
        details: {
          source: answered.body.source,
          window_from: answered.body.window_from,
          window_to: answered.body.window_to,
          features: answered.body.features.length,
        },
      });
      return reply.code(201).send(answered.body);
    },
  );

  /** Pins the reference the request asks for; returns the tenant and the 201 body. */
  async function pinReference(
    body: ReferenceRequest,
    tenant: string,
  ): Promise<{ tenant: string; body: ReferenceResponse }> {
    const scope = { tenant, model: body.model, version: body.version, segment: body.segment ?? '' };
    const now = Date.now();
    const answer = {
      model: scope.model,
      version: scope.version,
      segment: scope.segment,
      source: body.source,
    };
    if (body.source === 'previous') {
      await ctx.store.drift.setReferenceMode({ ...scope, mode: 'previous', updatedAt: now });
      return { tenant, body: { ...answer, window_from: null, window_to: null, features: [] } };
    }
    if (body.source === 'dataset') {
      if (!body.records || body.records.length === 0) {
        throw new FactorywatchError(
          'BODY_INVALID',
          'A dataset reference needs a non-empty "records" array.',
          '/records',
        );
      }
      const references = referencesFromRecords(body.records, scope.model, config);
      const features = await pinReferences(ctx.store.drift, scope, references, 'dataset', null, now);
      return { tenant, body: { ...answer, window_from: null, window_to: null, features } };
    }
    const to = body.to === undefined ? now : instant(body.to, now, '/to');
    const from =
      body.from === undefined ? to - config.windowSeconds * 1000 : instant(body.from, now, '/from');
    if (!(from < to)) throw new FactorywatchError('BODY_INVALID', 'from must be before to.', '/from');
    const references = await referencesFromWindow(ctx.store.drift, { ...scope, from, to }, config);
    if (references.size === 0) {
      throw new FactorywatchError(
        'BODY_INVALID',
        `No predictions of ${scope.model} ${scope.version} in the window; pick a window with traffic.`,
        '/from',
      );
    }
    const features = await pinReferences(ctx.store.drift, scope, references, 'window', { from, to }, now);
    return {
      tenant,
      body: { ...answer, window_from: from as number | null, window_to: to as number | null, features },
    };
  }

  app.post(
    '/v1/drift/run',
    { schema: { body: RunRequest, response: { 200: DriftResultsResponse } } },
    async (request) => {
      const body = (request.body ?? {}) as RunRequest;
      const tenant = request.principal?.tenant ?? 'default';
      const evaluations = await runDrift(ctx, { ...body, tenant }, Date.now());
      return { results: evaluations.flatMap(flatten) };
    },
  );
}

function instant(value: number | string, now: number, path: string): number {
  return typeof value === 'number' ? value : parseInstant(value, now, path);
}

/** One evaluation as GET /v1/drift rows. */
export function flatten(e: ScopeEvaluation) {
  return e.features.map((f) => ({
    model: e.scope.model,
    version: e.scope.version,
    segment: e.scope.segment,
    evaluated_at: e.evaluatedAt,
    window_from: e.window.from,
    window_to: e.window.to,
    reference_source: e.referenceSource,
    ...f,
  }));
}
