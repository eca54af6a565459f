/**
 * The route guard: one onRequest hook that authenticates the bearer token and authorises the
 * route's (object, action) from routes.ts before any handler runs. Public routes pass; unknown
 * routes fall through to the 404 handler; everything else without a valid token is 401, and
 * unmapped routes or denied decisions are 403. Errors are `{error:{code,message}}`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { FactorywatchError } from '../errors.js';
import type { Principal } from '../http/principal.js';
import { ANY_TENANT, type Authorizer, type Decision } from './authorizer.js';
import { governanceMetrics } from './metrics.js';
import { PUBLIC_ROUTES, ROUTE_PERMISSIONS, type Permission } from './routes.js';
import type { TokenAuthenticator } from './tokens.js';

/** Header naming the tenant a cross-tenant (`*`) token acts on; the `tenant` query parameter works too. */
export const TENANT_HEADER = 'x-factorywatch-tenant';

/** What the guard found out about a request, for the handlers and the audit trail. */
export interface AuthzOutcome {
  /** `METHOD /route/pattern`. */
  readonly routeKey: string;
  readonly authMethod: 'bearer' | 'none';
  /** The tenant the request acts on. */
  readonly tenant: string;
  readonly permission?: Permission;
  readonly decision?: Decision;
  /** The authenticated token's principal (set even when the decision was deny). */
  readonly principal?: Principal;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the guard on every routed request. */
    authz?: AuthzOutcome;
  }
}

/** Receives every finished request, for the audit trail. */
export interface RequestAuditSink {
  recordRequest(request: FastifyRequest, reply: FastifyReply): void;
}

/** What the guard needs. */
export interface GuardDeps {
  readonly tokens: TokenAuthenticator;
  readonly authorizer: Authorizer;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly audit?: RequestAuditSink;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Adds the authentication + authorisation hook (and the audit hook) to `app` and every route registered on it. */
export function registerGuard(app: FastifyInstance, deps: GuardDeps): void {
  const { authzDecisions } = governanceMetrics(deps.registry);
  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined) return; // no route: the 404 handler answers, not us.
    const method = request.method === 'HEAD' && !ROUTE_PERMISSIONS[`HEAD ${url}`] ? 'GET' : request.method;
    const routeKey = `${method} ${url}`;
    if (PUBLIC_ROUTES.has(routeKey)) return;
    const requestedTenant = tenantOf(request);
    const authorization = request.headers.authorization;
    if (authorization === undefined || authorization === '') {
      request.authz = { routeKey, authMethod: 'none', tenant: requestedTenant ?? '' };
      authzDecisions.inc({ role: 'none', decision: 'deny' });
      return sendError(
        reply,
        new FactorywatchError('AUTH_TOKEN_MISSING', 'Send an API token as "Authorization: Bearer fw_…".'),
      );
    }
    const secret = BEARER.exec(authorization)?.[1];
    const principal = secret === undefined ? undefined : deps.tokens.authenticate(secret);
    if (!principal) {
      request.authz = { routeKey, authMethod: 'bearer', tenant: requestedTenant ?? '' };
      authzDecisions.inc({ role: 'none', decision: 'deny' });
      return sendError(
        reply,
        new FactorywatchError(
          'AUTH_TOKEN_INVALID',
          'The bearer token is unknown, malformed or revoked; create one with `factorywatch token create`.',
        ),
      );
    }
    const tenant = requestedTenant ?? principal.tenant;
    const permission = ROUTE_PERMISSIONS[routeKey];
    const decision: Decision = permission
      ? deps.authorizer.decide(principal, permission, tenant)
      : { allowed: false, rule: 'unmapped-route' };
    request.authz = {
      routeKey,
      authMethod: 'bearer',
      tenant,
      principal,
      decision,
      ...(permission ? { permission } : {}),
    };
    authzDecisions.inc({ role: principal.role, decision: decision.allowed ? 'allow' : 'deny' });
    if (!decision.allowed) {
      const why =
        decision.rule === 'tenant-mismatch'
          ? `a token of tenant "${principal.tenant}" cannot act on tenant "${tenant}"`
          : `role "${principal.role}" may not ${permission ? `${permission.action} ${permission.object}` : `call ${routeKey}`} (${decision.rule})`;
      return sendError(reply, new FactorywatchError('AUTH_FORBIDDEN', `Forbidden: ${why}.`));
    }
    // Cross-tenant tokens acting on one tenant look, to handlers, like a token of that tenant.
    request.principal =
      principal.tenant === ANY_TENANT && tenant !== ANY_TENANT ? { ...principal, tenant } : principal;
  });
  const audit = deps.audit;
  if (audit) {
    app.addHook('onResponse', async (request, reply) => {
      try {
        audit.recordRequest(request, reply);
      } catch (error) {
        deps.logger.error({ err: error }, 'audit: failed to record a request');
      }
    });
  }
}

function tenantOf(request: FastifyRequest): string | undefined {
  const header = request.headers[TENANT_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.tenant;
  return typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : undefined;
}

function sendError(reply: FastifyReply, error: FactorywatchError): FastifyReply {
  return reply.code(error.status).send(error.toBody());
}
