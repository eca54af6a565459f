/** The audit policy (policies/audit.yaml): levels per route, redaction, body size cap, retention. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { FactorywatchError } from '../../errors.js';

/** How much of a request is recorded. */
export type AuditLevel = 'none' | 'metadata' | 'request';

/** The parsed audit policy. */
export interface AuditPolicy {
  readonly level: AuditLevel;
  readonly rules: readonly { readonly routes: readonly string[]; readonly level: AuditLevel }[];
  readonly redact: readonly string[];
  readonly maxBodyBytes: number;
  readonly retentionDays: number;
}

/** Used when no audit.yaml is found. */
export const DEFAULT_AUDIT_POLICY: AuditPolicy = {
  level: 'metadata',
  rules: [],
  redact: ['features', 'prediction', 'label', 'token', 'secret', 'password'],
  maxBodyBytes: 65536,
  retentionDays: 400,
};

const LEVELS: readonly AuditLevel[] = ['none', 'metadata', 'request'];

/** Parses audit.yaml text; throws CONFIG_INVALID naming the bad key. */
export function parseAuditPolicy(text: string, source = 'audit.yaml'): AuditPolicy {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new FactorywatchError(
      'CONFIG_INVALID',
      `${source} is not valid YAML: ${(error as Error).message}`,
      '/',
    );
  }
  const doc = (raw ?? {}) as Record<string, unknown>;
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new FactorywatchError('CONFIG_INVALID', `${source} must hold a mapping.`, '/');
  const known = new Set(['level', 'rules', 'redact', 'maxBodyBytes', 'retentionDays']);
  for (const key of Object.keys(doc)) {
    if (!known.has(key))
      throw new FactorywatchError('CONFIG_INVALID', `${source}: unknown key "${key}".`, `/${key}`);
  }
  const level = (value: unknown, path: string): AuditLevel => {
    if (!LEVELS.includes(value as AuditLevel)) {
      throw new FactorywatchError(
        'CONFIG_INVALID',
        `${source}: level must be one of ${LEVELS.join(', ')}.`,
        path,
      );
    }
    return value as AuditLevel;
  };
  const rulesRaw = doc.rules ?? [];
  if (!Array.isArray(rulesRaw))
    throw new FactorywatchError('CONFIG_INVALID', `${source}: rules must be a list.`, '/rules');
  const rules = rulesRaw.map((r: unknown, i) => {
    const rule = r as { routes?: unknown; level?: unknown } | null;
    if (!rule || !Array.isArray(rule.routes) || !rule.routes.every((x) => typeof x === 'string')) {
      throw new FactorywatchError(
        'CONFIG_INVALID',
        `${source}: rules[${i}].routes must be a list of "METHOD /route".`,
        `/rules/${i}/routes`,
      );
    }
    return { routes: rule.routes as string[], level: level(rule.level, `/rules/${i}/level`) };
  });
  const redact = doc.redact ?? DEFAULT_AUDIT_POLICY.redact;
  if (!Array.isArray(redact) || !redact.every((x) => typeof x === 'string')) {
    throw new FactorywatchError('CONFIG_INVALID', `${source}: redact must be a list of keys.`, '/redact');
  }
  const int = (key: 'maxBodyBytes' | 'retentionDays', min: number): number => {
    const v = doc[key] ?? DEFAULT_AUDIT_POLICY[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new FactorywatchError(
        'CONFIG_INVALID',
        `${source}: ${key} must be an integer ≥ ${min}.`,
        `/${key}`,
      );
    }
    return v;
  };
  return {
    level: doc.level === undefined ? DEFAULT_AUDIT_POLICY.level : level(doc.level, '/level'),
    rules,
    redact: redact as string[],
    maxBodyBytes: int('maxBodyBytes', 0),
    retentionDays: int('retentionDays', 1),
  };
}

/** Reads and parses an audit policy file. */
export function readAuditPolicy(path: string): AuditPolicy {
  return parseAuditPolicy(readFileSync(path, 'utf8'), path);
}

/** The level of a route (`METHOD /route`), precomputed per policy into a Map. */
export function levelResolver(policy: AuditPolicy): (routeKey: string) => AuditLevel {
  const byRoute = new Map<string, AuditLevel>();
  for (const rule of [...policy.rules].reverse())
    for (const route of rule.routes) byRoute.set(route, rule.level);
  return (routeKey) => byRoute.get(routeKey) ?? policy.level;
}

/** A deep copy of `value` with the values of redacted keys replaced by "[REDACTED]". */
export function redact(value: unknown, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => redact(v, keys));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = keys.has(k) ? '[REDACTED]' : redact(v, keys);
  return out;
}
