/** `GET /v1/models`: volume, latency and quality per model version (and segment) over one window. */
import type { FastifyInstance } from 'fastify';
import { FactorywatchError } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { ModelsQuery, ModelsResponse } from './schema.js';
import { summarizeModels } from './summary.js';
import { parseInstant } from './time.js';

/** Registers `GET /v1/models?from=&until=&by=segment|version&model=`, scoped to the caller's tenant. */
export async function modelRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const health = ctx.config.health;
  app.get(
    '/v1/models',
    { schema: { querystring: ModelsQuery, response: { 200: ModelsResponse } } },
    async (request) => {
      const query = request.query as ModelsQuery;
      const now = Date.now();
      const until = query.until === undefined ? now : parseInstant(query.until, now, '/querystring/until');
      const from =
        query.from === undefined
          ? until - health.models.windowSeconds * 1000
          : parseInstant(query.from, now, '/querystring/from');
      if (!(from < until)) {
        throw new FactorywatchError('QUERY_INVALID', 'from must be before until.', '/querystring/from');
      }
      const tenant = request.principal?.tenant ?? 'default';
      const models = await summarizeModels(ctx.store.health, health, {
        tenant,
        from,
        until,
        bySegment: query.by !== 'version',
      });
      return {
        from,
        until,
        models: query.model === undefined ? models : models.filter((m) => m.model === query.model),
      };
    },
  );
}
