/** Shared fixtures for the governance tests: the shipped model and policy, a fastify app with every route. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { shippedPoliciesDir } from '../../collector/governance/policy-files.js';
import { ROUTE_PERMISSIONS } from '../../collector/governance/routes.js';

export const policiesDir = shippedPoliciesDir();
export const modelText = readFileSync(join(policiesDir, 'model.conf'), 'utf8');
export const defaultPolicyText = readFileSync(join(policiesDir, 'policy.csv'), 'utf8');

/** A fastify app with every route of the route table plus /healthz, each answering 200 with the principal. */
export function appWithEveryRoute(register: (app: FastifyInstance) => void): FastifyInstance {
  const app = Fastify({ logger: false });
  register(app);
  for (const key of Object.keys(ROUTE_PERMISSIONS)) {
    const [method, url] = key.split(' ') as [string, string];
    app.route({
      method: method as 'GET',
      url,
      handler: async (request) => ({ ok: true, principal: request.principal ?? null }),
    });
  }
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/v1/unmapped', async () => ({ ok: true }));
  return app;
}
