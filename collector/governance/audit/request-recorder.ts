/** Turns every guarded request into an api_request audit event, at the level audit.yaml sets. */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestAuditSink } from '../guard.js';
import { levelResolver, redact, type AuditPolicy } from './audit-policy.js';
import type { AuditEventInput } from './event.js';

/** Where recorded events go, and which policy hash is in force. */
export interface RecorderDeps {
  append(input: AuditEventInput): unknown;
  policyHash(): string;
}

/** The guard's audit sink. Denied requests are recorded whatever their level. */
export function requestRecorder(policy: AuditPolicy, deps: RecorderDeps): RequestAuditSink {
  const levelOf = levelResolver(policy);
  const redactKeys = new Set(policy.redact);
  return {
    recordRequest(request: FastifyRequest, reply: FastifyReply) {
      const authz = request.authz;
      if (!authz) return; // public and unknown routes
      const allowed = authz.decision?.allowed === true;
      const level = levelOf(authz.routeKey);
      if (level === 'none' && allowed) return;
      const principal = authz.principal;
      const input: AuditEventInput = {
        kind: 'api_request',
        actor: principal?.subject ?? 'anonymous',
        tenant: authz.tenant,
        role: principal?.role ?? '',
        auth: authz.authMethod,
        ip: request.ip,
        userAgent: String(request.headers['user-agent'] ?? ''),
        action: authz.routeKey,
        resource: request.url,
        decision: allowed ? 'allow' : 'deny',
        rule: authz.decision?.rule ?? (authz.authMethod === 'none' ? 'no-token' : 'invalid-token'),
        policy: deps.policyHash(),
        status: reply.statusCode,
        requestId: String(request.id),
        ...(principal ? { details: { tokenId: principal.tokenId } } : {}),
      };
      if (level === 'request' && request.body !== undefined && request.body !== null) {
        input.details = { ...input.details, ...recordedBody(request.body, redactKeys, policy.maxBodyBytes) };
      }
      deps.append(input);
    },
  };
}

function recordedBody(body: unknown, keys: ReadonlySet<string>, maxBytes: number): Record<string, unknown> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes)
    return { bodyBytes: bytes, bodySha256: createHash('sha256').update(text).digest('hex') };
  return { body: typeof body === 'string' ? body : redact(body, keys) };
}
