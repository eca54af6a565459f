/**
 * The indexed evaluator of policies/model.conf: the same answers (and the same matched rule) as
 * Casbin's enforceEx on that model, without Casbin's scan of every rule on every request. Rules
 * are bucketed by (object, action) with wildcards; a request looks at four buckets and walks
 * only the roles its role reaches. test/governance/decision-index.test.ts cross-checks it against
 * node-casbin on random policies.
 */
import type { PolicyDocument, PolicyRule, RoleLink } from './policy-text.js';

/** An authorisation answer and the rule that decided it (Casbin's enforceEx explanation). */
export interface Decision {
  readonly allowed: boolean;
  /** The matched policy row (`p, role, tenant, object, action, effect`), or `default-deny` when none matched. */
  readonly rule: string;
}

/** Casbin's default role manager stops following inheritance after 10 levels; so do we. */
const MAX_HIERARCHY = 10;

/** A sync evaluator for one immutable policy. */
export interface PolicyEvaluator {
  evaluate(sub: string, dom: string, obj: string, act: string): Decision;
}

/** Matches a p/g row's tenant against the request's: `*` in the row matches every tenant. */
export function tenantMatches(requestDom: string, ruleDom: string): boolean {
  return ruleDom === '*' || ruleDom === requestDom;
}

/** Builds the indexed evaluator for one policy. */
export function indexPolicy(policy: PolicyDocument): PolicyEvaluator {
  const buckets = new Map<string, PolicyRule[]>();
  for (const rule of policy.rules) {
    const key = `${rule.obj}\u0000${rule.act}`;
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = []));
    bucket.push(rule);
  }
  const links = new Map<string, RoleLink[]>();
  for (const link of policy.links) {
    let list = links.get(link.role);
    if (!list) links.set(link.role, (list = []));
    list.push(link);
  }
  const empty: PolicyRule[] = [];
  const noLinks: RoleLink[] = [];

  const rolesOf = (sub: string, dom: string): Set<string> => {
    const reached = new Set([sub]);
    let frontier = [sub];
    for (let level = 0; level < MAX_HIERARCHY && frontier.length > 0; level++) {
      const next: string[] = [];
      for (const role of frontier) {
        for (const link of links.get(role) ?? noLinks) {
          if (!tenantMatches(dom, link.dom) || reached.has(link.inherits)) continue;
          reached.add(link.inherits);
          next.push(link.inherits);
        }
      }
      frontier = next;
    }
    return reached;
  };

  return {
    evaluate(sub, dom, obj, act) {
      const roles = rolesOf(sub, dom);
      let deny: PolicyRule | undefined;
      let allow: PolicyRule | undefined;
      for (const key of [`${obj}\u0000${act}`, `${obj}\u0000*`, `*\u0000${act}`, `*\u0000*`]) {
        for (const rule of buckets.get(key) ?? empty) {
          if (!roles.has(rule.sub) || !tenantMatches(dom, rule.dom)) continue;
          // Casbin's deny-override stops at the first matching deny and otherwise reports the last allow.
          if (rule.eft === 'deny') {
            if (!deny || rule.index < deny.index) deny = rule;
          } else if (!allow || rule.index > allow.index) {
            allow = rule;
          }
        }
      }
      if (deny) {
        // A deny after the first allow still wins; Casbin names the first deny it meets.
        return { allowed: false, rule: deny.text };
      }
      if (allow) return { allowed: true, rule: allow.text };
      return DEFAULT_DENY;
    },
  };
}

/** The decision when no rule matched. */
export const DEFAULT_DENY: Decision = Object.freeze({ allowed: false, rule: 'default-deny' });
