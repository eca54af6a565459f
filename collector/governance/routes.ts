/**
 * The route table: every HTTP route maps to the (object, action) pair that authorisation
 * decides on. A route missing here is denied; policies/policy.csv grants on these names.
 */

export interface Permission {
  readonly object: string;
  readonly action: 'read' | 'write';
}

/** `METHOD /path` as fastify registers it → what it touches. */
export const ROUTE_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'POST /v1/predictions': { object: 'ingest', action: 'write' },
  'POST /v1/labels': { object: 'ingest', action: 'write' },
  'POST /v1/pipeline-stats': { object: 'ingest', action: 'write' },
  'POST /v1/gpu-samples': { object: 'ingest', action: 'write' },
  'GET /v1/stats': { object: 'stats', action: 'read' },
  'GET /readyz': { object: 'health', action: 'read' },
  'GET /metrics': { object: 'metrics', action: 'read' },
  'GET /v1/drift': { object: 'drift', action: 'read' },
  'POST /v1/drift/reference': { object: 'drift', action: 'write' },
  'POST /v1/drift/run': { object: 'drift', action: 'write' },
  'GET /v1/gpu/idle': { object: 'gpu', action: 'read' },
  'GET /v1/models': { object: 'models', action: 'read' },
  'GET /v1/pipelines/health': { object: 'pipelines', action: 'read' },
  'GET /v1/audit': { object: 'audit', action: 'read' },
  'GET /v1/audit/verify': { object: 'audit', action: 'read' },
  'GET /v1/audit/proof': { object: 'audit', action: 'read' },
  'GET /v1/audit/export': { object: 'audit', action: 'read' },
  'GET /v1/policies': { object: 'policies', action: 'read' },
  'PUT /v1/policies': { object: 'policies', action: 'write' },
};

/** Routes anyone may call, without a token. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['GET /healthz']);
