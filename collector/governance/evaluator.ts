/**
 * Chooses the evaluator for a model once, up front: the indexed one when the model is the
 * shipped RBAC-with-domains + deny-override model (the usual case), otherwise node-casbin's own
 * enforceEx (correct for any model, but a linear scan; the decision cache then carries the load).
 */
import { newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { indexPolicy, tenantMatches, type PolicyEvaluator } from './decision-index.js';
import type { PolicyDocument } from './policy-text.js';

/** The shipped model's sections, whitespace-normalised, that the indexed evaluator implements. */
const INDEXED_MODEL = [
  '[request_definition]',
  'r = sub, dom, obj, act',
  '[policy_definition]',
  'p = sub, dom, obj, act, eft',
  '[role_definition]',
  'g = _, _, _',
  '[policy_effect]',
  'e = some(where (p.eft == allow)) && !some(where (p.eft == deny))',
  '[matchers]',
  'm = g(r.sub, p.sub, r.dom) && (p.dom == "*" || p.dom == r.dom) && (p.obj == "*" || p.obj == r.obj) && (p.act == "*" || p.act == r.act)',
].join('\n');

/** Whether a model text is the one the indexed evaluator implements. */
export function isIndexedModel(modelText: string): boolean {
  const normalised = modelText
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l !== '' && !l.startsWith('#'))
    .join('\n');
  return normalised === INDEXED_MODEL;
}

/** A node-casbin enforcer loaded with a policy, `*` tenants matching every tenant. */
export async function casbinEnforcerFor(modelText: string, policy: PolicyDocument) {
  const csv = [
    ...policy.rules.map((r) => r.text),
    ...policy.links.map((l) => ['g', l.role, l.inherits, l.dom].join(', ')),
  ].join('\n');
  // StringAdapter refuses an empty text; an empty policy is simply an enforcer without an adapter.
  const model = newModelFromString(modelText);
  const enforcer = csv === '' ? await newEnforcer(model) : await newEnforcer(model, new StringAdapter(csv));
  await enforcer.addNamedDomainMatchingFunc('g', tenantMatches);
  await enforcer.buildRoleLinks();
  return enforcer;
}

/** The evaluator for a model and policy. */
export async function evaluatorFor(modelText: string, policy: PolicyDocument): Promise<PolicyEvaluator> {
  if (isIndexedModel(modelText)) return indexPolicy(policy);
  const enforcer = await casbinEnforcerFor(modelText, policy);
  return {
    evaluate(sub, dom, obj, act) {
      const [allowed, rule] = enforcer.enforceExSync(sub, dom, obj, act);
      return { allowed, rule: rule.length > 0 ? ['p', ...rule].join(', ') : 'default-deny' };
    },
  };
}
