/**
 * The checks a policy must pass before it is swapped in (PUT /v1/policies) or when checked
 * offline (`factorywatch policy check FILE`): known objects and actions, every route reachable
 * by some role, and at least one role (and, when tokens are known, one active token) still able
 * to change policy, so no change can lock the admins out.
 */
import type { PolicyEvaluator } from './decision-index.js';
import type { PolicyDocument } from './policy-text.js';
import { ROUTE_PERMISSIONS } from './routes.js';

/** Objects a policy may name beyond the route table: `tokens` (token management) and the wildcard. */
const EXTRA_OBJECTS = ['tokens', '*'];
const ACTIONS = new Set(['read', 'write', '*']);
const POLICY_WRITE = { object: 'policies', action: 'write' } as const;

/** One reason a policy is rejected, with a path (`/line/N`, `/routes/GET /v1/x`, `/admins`). */
export interface PolicyProblem {
  readonly path: string;
  readonly message: string;
}

/** Lists every problem of a parsed policy; an empty list means it may be swapped in. */
export function checkPolicy(
  policy: PolicyDocument,
  evaluator: PolicyEvaluator,
  activeTokens?: readonly { role: string; tenant: string }[],
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const objects = new Set([...Object.values(ROUTE_PERMISSIONS).map((p) => p.object), ...EXTRA_OBJECTS]);
  for (const rule of policy.rules) {
    if (!objects.has(rule.obj)) {
      problems.push({
        path: `/rules/${rule.index}`,
        message: `"${rule.text}" names object "${rule.obj}"; known objects: ${[...objects].join(', ')}.`,
      });
    }
    if (!ACTIONS.has(rule.act)) {
      problems.push({
        path: `/rules/${rule.index}`,
        message: `"${rule.text}" names action "${rule.act}"; use read, write or *.`,
      });
    }
  }
  const roles = new Set([...policy.rules.map((r) => r.sub), ...policy.links.map((l) => l.role)]);
  const domains = new Set(['*', ...policy.rules.map((r) => r.dom), ...policy.links.map((l) => l.dom)]);
  const someoneMay = (object: string, action: string) =>
    [...roles].some((role) =>
      [...domains].some((dom) => evaluator.evaluate(role, dom, object, action).allowed),
    );
  for (const [route, permission] of Object.entries(ROUTE_PERMISSIONS)) {
    if (!someoneMay(permission.object, permission.action)) {
      problems.push({
        path: `/routes/${route}`,
        message: `No role may call ${route} (${permission.object}:${permission.action}); every route must stay reachable.`,
      });
    }
  }
  const admins = [...roles].filter(
    (role) => evaluator.evaluate(role, '*', POLICY_WRITE.object, POLICY_WRITE.action).allowed,
  );
  if (admins.length === 0) {
    problems.push({
      path: '/admins',
      message:
        'No role may change policy in every tenant (policies:write for tenant *); keep at least one admin.',
    });
  } else if (activeTokens) {
    const holder = activeTokens.some(
      (t) => evaluator.evaluate(t.role, t.tenant, POLICY_WRITE.object, POLICY_WRITE.action).allowed,
    );
    if (!holder) {
      problems.push({
        path: '/admins',
        message: `No active token would keep policies:write (roles able: ${admins.join(', ')}); create one first.`,
      });
    }
  }
  return problems;
}
