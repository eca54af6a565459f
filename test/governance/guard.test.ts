import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Authorizer } from '../../collector/governance/authorizer.js';
import { registerGuard } from '../../collector/governance/guard.js';
import { ROUTE_PERMISSIONS } from '../../collector/governance/routes.js';
import { TokenStore, tokensPath } from '../../collector/governance/tokens.js';
import { scratchDir } from '../helpers/tmp.js';
import { appWithEveryRoute, defaultPolicyText, modelText } from './fixtures.js';

/** The default policy's intent, written out independently of policies/policy.csv. */
const GRANTS: Record<string, string[]> = {
  admin: Object.keys(ROUTE_PERMISSIONS),
  viewer: [
    'stats:read',
    'health:read',
    'metrics:read',
    'drift:read',
    'gpu:read',
    'models:read',
    'pipelines:read',
  ],
  sre: [
    'stats:read',
    'health:read',
    'metrics:read',
    'drift:read',
    'gpu:read',
    'models:read',
    'pipelines:read',
    'drift:write',
    'ingest:write',
    'policies:read',
  ],
  'data-scientist': [
    'stats:read',
    'health:read',
    'metrics:read',
    'drift:read',
    'gpu:read',
    'models:read',
    'pipelines:read',
    'drift:write',
  ],
  service: ['ingest:write', 'health:read'],
  auditor: ['audit:read', 'policies:read', 'health:read'],
};

function allowed(role: string, route: string): boolean {
  const p = ROUTE_PERMISSIONS[route]!;
  return role === 'admin' || GRANTS[role]!.includes(`${p.object}:${p.action}`);
}

describe('route guard', () => {
  let app: FastifyInstance;
  let tokens: TokenStore;
  const registry = new Registry();
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    tokens = new TokenStore(tokensPath(scratchDir()));
    const authorizer = await Authorizer.create(modelText, defaultPolicyText);
    for (const role of Object.keys(GRANTS))
      secrets[role] = tokens.create({ subject: `${role}-1`, role, tenant: 'acme' }).secret;
    secrets.root = tokens.create({ subject: 'root', role: 'admin', tenant: '*' }).secret;
    app = appWithEveryRoute((a) =>
      registerGuard(a, { tokens, authorizer, registry, logger: pino({ level: 'silent' }) }),
    );
    await app.ready();
  });
  afterAll(() => app.close());

  const call = (route: string, token?: string, headers: Record<string, string> = {}) => {
    const [method, url] = route.split(' ') as [string, string];
    return app.inject({
      method: method as 'GET',
      url,
      headers: { ...headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    });
  };

  for (const role of Object.keys(GRANTS)) {
    it(`answers every route for role ${role} as the policy intends`, async () => {
      for (const route of Object.keys(ROUTE_PERMISSIONS)) {
        const res = await call(route, secrets[role]);
        expect(res.statusCode, `${role} ${route}`).toBe(allowed(role, route) ? 200 : 403);
        if (res.statusCode === 403) expect(res.json().error.code).toBe('AUTH_FORBIDDEN');
        else expect(res.json().principal).toMatchObject({ role, tenant: 'acme', subject: `${role}-1` });
      }
    });
  }

  it('answers 401 without a token, with a malformed header, and with an unknown or revoked token', async () => {
    for (const route of Object.keys(ROUTE_PERMISSIONS)) {
      const res = await call(route);
      expect(res.statusCode, route).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'AUTH_TOKEN_MISSING', message: expect.any(String) } });
    }
    expect((await call('GET /v1/stats', 'fw_' + 'A'.repeat(43))).json().error.code).toBe(
      'AUTH_TOKEN_INVALID',
    );
    const basic = await app.inject({
      method: 'GET',
      url: '/v1/stats',
      headers: { authorization: `Basic ${secrets.admin}` },
    });
    expect(basic.json().error.code).toBe('AUTH_TOKEN_INVALID');
    const { secret, token } = tokens.create({ subject: 'temp', role: 'admin', tenant: 'acme' });
    expect((await call('GET /v1/stats', secret)).statusCode).toBe(200);
    tokens.revoke(token.id);
    const revoked = await call('GET /v1/stats', secret);
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().error.code).toBe('AUTH_TOKEN_INVALID');
  });

  it('binds tokens to their tenant; only * tokens act across tenants', async () => {
    const wrong = await call('GET /v1/stats', secrets.admin, { 'x-factorywatch-tenant': 'globex' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.message).toMatch(/tenant "acme" cannot act on tenant "globex"/);
    expect((await call('GET /v1/stats?tenant=globex', secrets.viewer)).statusCode).toBe(403);
    expect((await call('GET /v1/stats?tenant=acme', secrets.viewer)).statusCode).toBe(200);
    const cross = await call('GET /v1/stats', secrets.root, { 'x-factorywatch-tenant': 'globex' });
    expect(cross.statusCode).toBe(200);
    expect(cross.json().principal).toMatchObject({ subject: 'root', tenant: 'globex' });
  });

  it('leaves /healthz public, answers unknown routes 404 and unmapped routes 403', async () => {
    expect((await call('GET /healthz')).statusCode).toBe(200);
    expect((await call('GET /v1/nope')).statusCode).toBe(404);
    expect((await call('GET /v1/nope', secrets.admin)).statusCode).toBe(404);
    const unmapped = await call('GET /v1/unmapped', secrets.admin);
    expect(unmapped.statusCode).toBe(403);
    expect(unmapped.json().error.message).toMatch(/unmapped-route/);
  });

  it('counts decisions by role', async () => {
    const text = await registry.getSingleMetricAsString('factorywatch_authz_decisions_total');
    expect(text).toMatch(/factorywatch_authz_decisions_total\{role="auditor",decision="deny"\} \d+/);
    expect(text).toMatch(/factorywatch_authz_decisions_total\{role="none",decision="deny"\} \d+/);
    expect(text).toMatch(/factorywatch_authz_decisions_total\{role="service",decision="allow"\} \d+/);
  });
});
