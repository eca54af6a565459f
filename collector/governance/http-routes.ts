/**
 * The governance HTTP API: GET /v1/audit (filters + cursor), /v1/audit/verify, /v1/audit/proof
 * (inclusion, or consistency with from/to), /v1/audit/export (NDJSON), GET/PUT /v1/policies.
 * The guard has already authenticated and authorised every call.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { FactorywatchError } from '../errors.js';
import { ANY_TENANT } from './authorizer.js';
import type { AuditEventBody } from './audit/event.js';
import { verifyChain } from './audit/verify.js';
import type { GovernanceCore } from './core.js';

const AuditQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ maxLength: 256 })),
    action: Type.Optional(Type.String({ maxLength: 256 })),
    resource: Type.Optional(Type.String({ maxLength: 2048 })),
    decision: Type.Optional(Type.Union([Type.Literal('allow'), Type.Literal('deny')])),
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    kind: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Type.String({ maxLength: 40 })),
    until: Type.Optional(Type.String({ maxLength: 40 })),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  { additionalProperties: false },
);
const ProofQuery = Type.Object(
  {
    seq: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
    from: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
    to: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
    tenant: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const VerifyQuery = Type.Object({
  deep: Type.Optional(Type.String({ enum: ['true', 'false'] })),
  tenant: Type.Optional(Type.String()),
});

/** Epoch ms from ISO 8601 or epoch milliseconds; throws QUERY_INVALID naming the parameter. */
export function parseTime(value: string, name: string): number {
  const ms = /^[0-9]+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new FactorywatchError(
      'QUERY_INVALID',
      `${name} must be ISO 8601 or epoch milliseconds.`,
      `/${name}`,
    );
  return ms;
}

async function answer(reply: FastifyReply, work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof FactorywatchError) return reply.code(error.status).send(error.toBody());
    if (error instanceof RangeError) {
      const e = new FactorywatchError('QUERY_INVALID', error.message, '/seq');
      return reply.code(e.status).send(e.toBody());
    }
    throw error;
  }
}

/** Registers the governance routes; `core` comes from createGovernance. */
export async function governanceRoutes(app: FastifyInstance, core: GovernanceCore): Promise<void> {
  app.addContentTypeParser(
    ['text/csv', 'application/x-casbin-policy'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );

  app.get(
    '/v1/audit',
    { schema: { querystring: AuditQuery } },
    async (request: FastifyRequest<{ Querystring: Static<typeof AuditQuery> }>, reply) =>
      answer(reply, async () => {
        const q = request.query;
        await core.trail.flush();
        const limit = Math.min(Number(q.limit ?? 100), 1000);
        if (limit < 1) throw new FactorywatchError('QUERY_INVALID', 'limit must be 1-1000.', '/limit');
        const tenant =
          request.principal && request.principal.tenant !== ANY_TENANT ? request.principal.tenant : q.tenant;
        const rows = await core.store.queryEvents({
          chainId: core.trail.chainId,
          ...(q.actor ? { actor: q.actor } : {}),
          ...(q.action ? { action: q.action } : {}),
          ...(q.resource ? { resource: q.resource } : {}),
          ...(q.decision ? { decision: q.decision } : {}),
          ...(q.kind ? { kind: q.kind } : {}),
          ...(tenant ? { tenant } : {}),
          ...(q.from ? { from: parseTime(q.from, 'from') } : {}),
          ...(q.until ? { until: parseTime(q.until, 'until') } : {}),
          ...(q.cursor ? { afterSeq: Number(q.cursor) } : {}),
          limit,
        });
        // Answers render the hashed body, never the index columns, so what an auditor reads is what was verified.
        const events = rows.map((r) => ({ ...(JSON.parse(r.body) as AuditEventBody), hash: r.hash }));
        const last = rows.at(-1);
        return { events, next_cursor: rows.length === limit && last ? String(last.seq) : null };
      }),
  );

  app.get(
    '/v1/audit/verify',
    { schema: { querystring: VerifyQuery } },
    async (request: FastifyRequest<{ Querystring: Static<typeof VerifyQuery> }>, reply) =>
      answer(reply, async () => {
        await core.trail.checkpoint();
        const report = await verifyChain(core.store, core.trail.chainId, core.publicKeys, {
          deep: request.query.deep !== 'false',
        });
        core.metrics.auditChainOk.set(report.ok ? 1 : 0);
        return report;
      }),
  );

  app.get(
    '/v1/audit/proof',
    { schema: { querystring: ProofQuery } },
    async (request: FastifyRequest<{ Querystring: Static<typeof ProofQuery> }>, reply) =>
      answer(reply, async () => {
        const q = request.query;
        if (q.seq !== undefined) {
          const proof = await core.trail.inclusionProof(Number(q.seq));
          return { type: 'inclusion', ...proof, publicKey: core.publicKeyPem };
        }
        if (q.from !== undefined) {
          await core.trail.checkpoint();
          const to = q.to === undefined ? (core.trail.latestCheckpoint?.treeSize ?? 0) : Number(q.to);
          const from = Number(q.from);
          const checkpoints = await core.store.checkpoints(core.trail.chainId);
          return {
            type: 'consistency',
            from,
            to,
            proof: core.trail.consistencyProof(from, to),
            fromCheckpoint: checkpoints.find((c) => c.treeSize === from) ?? null,
            toCheckpoint: checkpoints.find((c) => c.treeSize === to) ?? null,
            publicKey: core.publicKeyPem,
          };
        }
        throw new FactorywatchError(
          'QUERY_INVALID',
          'Give seq=N (inclusion proof) or from=A[&to=B] (consistency proof).',
          '/seq',
        );
      }),
  );

  app.get('/v1/audit/export', async (request, reply) => {
    await core.trail.checkpoint();
    core.append({
      kind: 'export',
      actor: request.principal?.subject ?? '',
      tenant: request.principal?.tenant ?? '',
      role: request.principal?.role ?? '',
      auth: 'bearer',
      action: 'audit.export',
      resource: core.trail.chainId,
    });
    await core.trail.flush();
    reply.header('content-type', 'application/x-ndjson');
    return reply.send(core.exportLines());
  });

  app.get('/v1/policies', async () => {
    const policy = core.authorizer.policy;
    return { hash: policy.hash, roles: core.authorizer.roles, policy: policy.text };
  });

  app.put('/v1/policies', async (request, reply) =>
    answer(reply, async () => {
      const body = request.body;
      const text = typeof body === 'string' ? body : (body as { policy?: unknown } | null)?.policy;
      if (typeof text !== 'string') {
        throw new FactorywatchError(
          'BODY_INVALID',
          'Send the policy as text/csv (or text/plain), or JSON {"policy": "…"}.',
          '/policy',
        );
      }
      const principal = request.principal!;
      return core.changePolicy(text, {
        actor: principal.subject,
        role: principal.role,
        tenant: principal.tenant,
        requestId: String(request.id),
      });
    }),
  );
}
