/**
 * Parsing of Casbin policy text (policy.csv) into rows, with errors that name the line. Only the
 * plain CSV that Casbin's file adapter reads is accepted: comma-separated, `#` comments, no quotes.
 */
import { createHash } from 'node:crypto';
import { FactorywatchError } from '../errors.js';

/** One `p` row: role, tenant, object, action, effect. */
export interface PolicyRule {
  readonly sub: string;
  readonly dom: string;
  readonly obj: string;
  readonly act: string;
  readonly eft: 'allow' | 'deny';
  /** Position among the p rows (Casbin's policy order). */
  readonly index: number;
  /** The row as Casbin's enforceEx reports it: `p, admin, *, *, *, allow`. */
  readonly text: string;
}

/** One `g` row: `role` inherits `inherits` in tenant `dom` (`*` = every tenant). */
export interface RoleLink {
  readonly role: string;
  readonly inherits: string;
  readonly dom: string;
}

/** A parsed policy: its rows and the SHA-256 of its exact text (the "policy hash"). */
export interface PolicyDocument {
  readonly text: string;
  readonly hash: string;
  readonly rules: readonly PolicyRule[];
  readonly links: readonly RoleLink[];
}

const NAME = /^[A-Za-z0-9*._:@/-]{1,128}$/;

/** Hex SHA-256 of a policy text, as recorded in the audit trail. */
export function policyHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Parses policy text; throws POLICY_INVALID with a `/line/N` path on the first bad line. */
export function parsePolicyText(text: string): PolicyDocument {
  const rules: PolicyRule[] = [];
  const links: RoleLink[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const path = `/line/${i + 1}`;
    if (/["']/.test(trimmed))
      throw new FactorywatchError('POLICY_INVALID', `Line ${i + 1}: quotes are not supported.`, path);
    const fields = trimmed.split(',').map((f) => f.trim());
    for (const field of fields.slice(1)) {
      if (!NAME.test(field)) {
        throw new FactorywatchError('POLICY_INVALID', `Line ${i + 1}: "${field}" is not a valid name.`, path);
      }
    }
    if (fields[0] === 'p') {
      if (fields.length !== 6) {
        throw new FactorywatchError(
          'POLICY_INVALID',
          `Line ${i + 1}: a p row is "p, role, tenant, object, action, allow|deny".`,
          path,
        );
      }
      const [, sub, dom, obj, act, eft] = fields as [string, string, string, string, string, string];
      if (eft !== 'allow' && eft !== 'deny') {
        throw new FactorywatchError(
          'POLICY_INVALID',
          `Line ${i + 1}: the effect must be allow or deny, got "${eft}".`,
          path,
        );
      }
      rules.push({
        sub,
        dom,
        obj,
        act,
        eft,
        index: rules.length,
        text: ['p', sub, dom, obj, act, eft].join(', '),
      });
    } else if (fields[0] === 'g') {
      if (fields.length !== 4) {
        throw new FactorywatchError(
          'POLICY_INVALID',
          `Line ${i + 1}: a g row is "g, role, inherited-role, tenant".`,
          path,
        );
      }
      const [, role, inherits, dom] = fields as [string, string, string, string];
      links.push({ role, inherits, dom });
    } else {
      throw new FactorywatchError(
        'POLICY_INVALID',
        `Line ${i + 1}: rows start with p or g, got "${fields[0]}".`,
        path,
      );
    }
  });
  return { text, hash: policyHash(text), rules, links };
}

/** Every role a policy names (granted, denied or inherited), sorted. */
export function rolesOf(policy: PolicyDocument): string[] {
  const roles = new Set<string>();
  for (const r of policy.rules) if (r.sub !== '*') roles.add(r.sub);
  for (const l of policy.links) roles.add(l.role).add(l.inherits);
  return [...roles].sort();
}
