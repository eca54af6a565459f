import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../collector/config/config.js';
import { checkpointSignatureOk } from '../../collector/governance/audit/checkpoint.js';
import { verifyInclusion } from '../../collector/governance/audit/merkle.js';
import { publicKeysFrom } from '../../collector/governance/audit/signing-key.js';
import { createGovernance, type Governance } from '../../collector/governance/core.js';
import { ROUTE_PERMISSIONS } from '../../collector/governance/routes.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import type { Store } from '../../collector/store/store.js';
import { scratchDir } from '../helpers/tmp.js';
import { defaultPolicyText } from './fixtures.js';

const GOVERNANCE_ROUTES = new Set([
  'GET /v1/audit',
  'GET /v1/audit/verify',
  'GET /v1/audit/proof',
  'GET /v1/audit/export',
  'GET /v1/policies',
  'PUT /v1/policies',
]);

describe('governance assembled on a real store', () => {
  let dir: string;
  let store: Store;
  let governance: Governance;
  let app: FastifyInstance;
  const registry = new Registry();
  const secret: Record<string, string> = {};

  beforeAll(async () => {
    dir = scratchDir();
    store = await openDuckDbStore(join(dir, 'factorywatch.duckdb'));
    const config = resolveConfig({ flags: { 'data-dir': dir } });
    governance = await createGovernance({
      dataDir: dir,
      config,
      store,
      registry,
      logger: pino({ level: 'silent' }),
    });
    for (const role of ['admin', 'sre', 'viewer', 'auditor', 'service', 'data-scientist']) {
      secret[role] = governance.tokens.create({ subject: `${role}-1`, role, tenant: 'acme' }).secret;
    }
    secret.root = governance.tokens.create({ subject: 'root', role: 'admin', tenant: '*' }).secret;
    app = Fastify({ logger: false });
    governance.registerGuard(app);
    await app.register(governance.routes);
    for (const key of Object.keys(ROUTE_PERMISSIONS).filter((k) => !GOVERNANCE_ROUTES.has(k))) {
      const [method, url] = key.split(' ') as [string, string];
      app.route({ method: method as 'GET', url, handler: async () => ({ ok: true }) });
    }
    await app.ready();
    await governance.start();
  });
  afterAll(async () => {
    await app.close();
    await governance.stop();
    await store.close();
  });

  const get = (url: string, who?: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'GET',
      url,
      headers: { ...headers, ...(who ? { authorization: `Bearer ${secret[who] ?? who}` } : {}) },
    });
  const put = (url: string, who: string, body: string) =>
    app.inject({
      method: 'PUT',
      url,
      payload: body,
      headers: { authorization: `Bearer ${secret[who]}`, 'content-type': 'text/csv' },
    });

  it('records every call, denied ones included, with actor, role, decision, rule, policy hash and status', async () => {
    expect((await get('/v1/gpu/idle', 'auditor', { 'user-agent': 'probe/1' })).statusCode).toBe(403);
    expect((await get('/v1/stats')).statusCode).toBe(401);
    expect((await get('/v1/stats', 'viewer', { 'x-factorywatch-tenant': 'globex' })).statusCode).toBe(403);
    expect((await get('/v1/stats', 'viewer')).statusCode).toBe(200);
    const res = await get('/v1/audit?decision=deny&limit=50', 'auditor');
    expect(res.statusCode).toBe(200);
    const events = res.json().events as Record<string, unknown>[];
    expect(events.find((e) => e.action === 'GET /v1/gpu/idle')).toMatchObject({
      kind: 'api_request',
      actor: 'auditor-1',
      role: 'auditor',
      tenant: 'acme',
      auth: 'bearer',
      decision: 'deny',
      rule: 'default-deny',
      status: 403,
      userAgent: 'probe/1',
      policy: governance.authorizer.policy.hash,
      resource: '/v1/gpu/idle',
    });
    // The tenant-mismatch event belongs to tenant globex and 401s to no tenant: only a cross-tenant auditor sees them.
    expect(events.find((e) => e.rule === 'tenant-mismatch')).toBeUndefined();
    const all = (await get('/v1/audit?decision=deny&limit=50', 'root')).json().events as Record<
      string,
      unknown
    >[];
    expect(all.find((e) => e.rule === 'tenant-mismatch')).toMatchObject({
      actor: 'viewer-1',
      tenant: 'globex',
      status: 403,
    });
    expect(all.find((e) => e.actor === 'anonymous')).toMatchObject({
      rule: 'no-token',
      status: 401,
      auth: 'none',
    });
    const allowed = (await get('/v1/audit?action=GET%20/v1/stats&decision=allow', 'auditor')).json().events;
    expect(allowed[0]).toMatchObject({ rule: 'p, viewer, *, stats, read, allow', status: 200 });
  });

  it('pages through the trail with a cursor and filters by actor and time', async () => {
    for (let i = 0; i < 7; i++) await get('/v1/models', 'viewer');
    const seen: number[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const body = (
        await get(`/v1/audit?actor=viewer-1&limit=3${cursor ? `&cursor=${cursor}` : ''}`, 'auditor')
      ).json();
      seen.push(...body.events.map((e: { seq: number }) => e.seq));
      if (!body.next_cursor) break;
      cursor = body.next_cursor;
    }
    expect(seen.length).toBe(8); // 1 + 7 calls in tenant acme (the globex one is not the acme auditor's to see)
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect((await get('/v1/audit?until=2000-01-01T00:00:00Z', 'auditor')).json().events).toEqual([]);
    expect((await get('/v1/audit?from=yesterday', 'auditor')).json().error.code).toBe('QUERY_INVALID');
  });

  it('verifies the live trail and serves inclusion proofs that check against a signed checkpoint', async () => {
    const report = (await get('/v1/audit/verify', 'auditor')).json();
    expect(report).toMatchObject({ ok: true, deep: true });
    expect(report.events).toBeGreaterThan(10);
    const p = (await get('/v1/audit/proof?seq=3', 'auditor')).json();
    const keys = publicKeysFrom([p.publicKey]);
    expect(checkpointSignatureOk(keys, p.checkpoint)).toBe(true);
    const hex = (s: string) => Buffer.from(s, 'hex');
    expect(
      verifyInclusion(hex(p.leafHash), 3, p.treeSize, p.proof.map(hex), hex(p.checkpoint.rootHash)),
    ).toBe(true);
    expect(
      verifyInclusion(hex(p.leafHash), 4, p.treeSize, p.proof.map(hex), hex(p.checkpoint.rootHash)),
    ).toBe(false);
    expect((await get('/v1/audit/proof?seq=99999999', 'auditor')).json().error.code).toBe('QUERY_INVALID');
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/factorywatch_audit_chain_ok 1/);
    expect(metrics).toMatch(/factorywatch_audit_events_total \d+/);
    expect(metrics).toMatch(/factorywatch_audit_last_checkpoint_timestamp_seconds \d+/);
  });

  it('rejects unsafe policies and audits accepted changes with old and new hash', async () => {
    const noAdmin = defaultPolicyText.replace('p, admin, *, *, *, allow', '');
    const rejected = await put('/v1/policies', 'admin', noAdmin);
    expect(rejected.statusCode).toBe(400);
    expect(rejected.json().error).toMatchObject({ code: 'POLICY_INVALID' });
    const garbled = await put(
      '/v1/policies',
      'admin',
      `${defaultPolicyText}\np, viewer, *, gpus, read, allow\n`,
    );
    expect(garbled.json().error.path).toMatch(/^\/rules\//);
    const badLine = await put('/v1/policies', 'admin', 'q, nonsense');
    expect(badLine.json().error).toMatchObject({ code: 'POLICY_INVALID', path: '/line/1' });
    expect((await put('/v1/policies', 'auditor', defaultPolicyText)).statusCode).toBe(403);

    const before = governance.authorizer.policy.hash;
    const stricter = defaultPolicyText.replace(
      'p, viewer, *, models, read, allow',
      'p, viewer, *, models, read, deny',
    );
    const accepted = await put('/v1/policies', 'admin', stricter);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({ hash: governance.authorizer.policy.hash, previousHash: before });
    expect((await get('/v1/models', 'viewer')).statusCode).toBe(403);
    const change = (await get('/v1/audit?kind=policy_change', 'root')).json().events[0];
    expect(change).toMatchObject({
      actor: 'admin-1',
      details: { oldHash: before, newHash: accepted.json().hash },
    });
    expect((await get('/v1/policies', 'auditor')).json()).toMatchObject({
      hash: accepted.json().hash,
      policy: stricter,
    });
    await put('/v1/policies', 'admin', defaultPolicyText);
  });

  it('never denies, during thousands of requests and repeated swaps, what both policies allow', async () => {
    const a = defaultPolicyText;
    const b = defaultPolicyText
      .replace('p, sre, *, drift, write, allow', 'p, sre, *, drift, write, deny')
      .replace('p, viewer, *, gpu, read, allow', '');
    const requests: Promise<{ statusCode: number }>[] = [];
    const swaps: Promise<unknown>[] = [];
    for (let i = 0; i < 3000; i++) {
      requests.push(get(i % 2 ? '/v1/stats' : '/v1/drift', i % 3 ? 'viewer' : 'sre'));
      if (i % 150 === 0)
        swaps.push(governance.changePolicy(i % 300 ? a : b, { actor: 'test', role: 'admin', tenant: '*' }));
    }
    const codes = (await Promise.all(requests)).map((r) => r.statusCode);
    await Promise.all(swaps);
    expect(codes.filter((c) => c !== 200)).toEqual([]);
    expect(swaps.length).toBe(20);
  });

  it('sees tokens created and revoked by the CLI, and audits them', async () => {
    const { TokenStore } = await import('../../collector/governance/tokens.js');
    const cli = new TokenStore(join(dir, 'tokens.json'));
    const { secret: s, token } = cli.create({ subject: 'late', role: 'viewer', tenant: 'acme' });
    cli.revoke(token.id);
    governance.tokens.refresh();
    expect((await get('/v1/stats', s)).statusCode).toBe(401);
    const kinds = (
      (await get(`/v1/audit?resource=${token.id}`, 'root')).json().events as { kind: string }[]
    ).map((e) => e.kind);
    expect(kinds).toEqual(['token_create', 'token_revoke']);
  });
});
