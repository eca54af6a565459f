/** `GET /v1/gpu/idle`: idle time, allocation, data starvation and cost per gpu, host, namespace, pod or model. */
import type { FastifyInstance } from 'fastify';
import { FactorywatchError } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { parseInstant } from '../models/time.js';
import { IDLE_GROUPINGS, idleReport, type IdleGroupBy } from './idle.js';
import { IdleQuery, IdleResponse } from './schemas.js';

const DAY_MS = 86_400_000;

/** Registers the GPU routes. */
export async function gpuRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    '/v1/gpu/idle',
    { schema: { querystring: IdleQuery, response: { 200: IdleResponse } } },
    async (request) => {
      const query = request.query as IdleQuery;
      const now = Date.now();
      const until = query.until === undefined ? now : parseInstant(query.until, now, '/querystring/until');
      const from =
        query.from === undefined ? until - DAY_MS : parseInstant(query.from, now, '/querystring/from');
      if (!(from < until)) {
        throw new FactorywatchError(
          'QUERY_INVALID',
          `from (${from}) must be before until (${until}).`,
          '/querystring/from',
        );
      }
      const by = query.by ?? 'gpu';
      if (!(IDLE_GROUPINGS as readonly string[]).includes(by)) {
        throw new FactorywatchError(
          'QUERY_INVALID',
          `by must be one of ${IDLE_GROUPINGS.join(', ')}.`,
          '/querystring/by',
        );
      }
      const tenant = request.principal?.tenant ?? 'default';
      return idleReport(ctx.store.gpu, ctx.config.gpu, { tenant, from, until, by: by as IdleGroupBy });
    },
  );
}
