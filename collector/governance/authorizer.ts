/**
 * The one authorisation function. Holds an immutable policy snapshot (document + evaluator +
 * decision cache) behind a single reference: `decide` reads that reference once, so a request
 * sees the old policy or the new one, never half of each, and a swap replaces the cache with
 * the snapshot, which is how the cache is invalidated (Casbin's loadPolicy clears the model
 * before re-filling it and its CachedEnforcer never invalidates; neither happens here).
 */
import { FactorywatchError } from '../errors.js';
import type { Principal } from '../http/principal.js';
import type { Decision, PolicyEvaluator } from './decision-index.js';
import { evaluatorFor } from './evaluator.js';
import { checkPolicy } from './policy-checks.js';
import { parsePolicyText, rolesOf, type PolicyDocument } from './policy-text.js';
import type { Permission } from './routes.js';

export type { Decision } from './decision-index.js';

/** Decisions cached per snapshot; past this many distinct keys the cache starts over (tenants are unbounded). */
const CACHE_LIMIT = 100_000;

/** The answer when a token of one tenant asks for another tenant's resources. */
export const TENANT_MISMATCH: Decision = Object.freeze({ allowed: false, rule: 'tenant-mismatch' });

/** Cross-tenant tokens carry this tenant. */
export const ANY_TENANT = '*';

interface Snapshot {
  readonly policy: PolicyDocument;
  readonly roles: readonly string[];
  readonly evaluator: PolicyEvaluator;
  readonly cache: Map<string, Decision>;
}

/** Decides (principal, permission, tenant) with the policy in force; swaps policies atomically. */
export class Authorizer {
  private snapshot: Snapshot;

  private constructor(
    readonly modelText: string,
    snapshot: Snapshot,
  ) {
    this.snapshot = snapshot;
  }

  /** Builds an authorizer from model and policy text; throws POLICY_INVALID when the policy fails its checks. */
  static async create(modelText: string, policyText: string): Promise<Authorizer> {
    const snapshot = await buildSnapshot(modelText, policyText);
    assertNoProblems(snapshot);
    return new Authorizer(modelText, snapshot);
  }

  /** The policy in force. */
  get policy(): PolicyDocument {
    return this.snapshot.policy;
  }

  /** The roles the policy in force names. */
  get roles(): readonly string[] {
    return this.snapshot.roles;
  }

  /**
   * Whether `principal` may do `permission` in `tenant` (default: its own), and which rule said so.
   * A token is bound to its tenant; only `*` tokens may act in other tenants.
   */
  decide(principal: Principal, permission: Permission, tenant: string = principal.tenant): Decision {
    if (principal.tenant !== ANY_TENANT && tenant !== principal.tenant) return TENANT_MISMATCH;
    const snapshot = this.snapshot;
    const key = `${principal.role}\u0000${tenant}\u0000${permission.object}\u0000${permission.action}`;
    let decision = snapshot.cache.get(key);
    if (decision === undefined) {
      decision = snapshot.evaluator.evaluate(principal.role, tenant, permission.object, permission.action);
      if (snapshot.cache.size >= CACHE_LIMIT) snapshot.cache.clear();
      snapshot.cache.set(key, decision);
    }
    return decision;
  }

  /**
   * Parses and checks `policyText`, then swaps it in with one assignment. Throws POLICY_INVALID
   * (nothing changes) when it fails a check. `activeTokens` adds the "an active token can still
   * change policy" check.
   */
  async prepare(
    policyText: string,
    activeTokens?: readonly { role: string; tenant: string }[],
  ): Promise<PreparedPolicy> {
    const snapshot = await buildSnapshot(this.modelText, policyText);
    assertNoProblems(snapshot, activeTokens);
    return new PreparedPolicy(snapshot, (s) => {
      this.snapshot = s;
    });
  }
}

/** A checked policy ready to be swapped in: `commit()` is synchronous, so nothing runs between the check and the swap. */
export class PreparedPolicy {
  constructor(
    private readonly snapshot: Snapshot,
    private readonly install: (snapshot: Snapshot) => void,
  ) {}

  /** The checked policy. */
  get policy(): PolicyDocument {
    return this.snapshot.policy;
  }

  /** Puts the policy in force. */
  commit(): void {
    this.install(this.snapshot);
  }
}

async function buildSnapshot(modelText: string, policyText: string): Promise<Snapshot> {
  const policy = parsePolicyText(policyText);
  const evaluator = await evaluatorFor(modelText, policy);
  return { policy, roles: rolesOf(policy), evaluator, cache: new Map() };
}

function assertNoProblems(
  snapshot: Snapshot,
  activeTokens?: readonly { role: string; tenant: string }[],
): void {
  const problems = checkPolicy(snapshot.policy, snapshot.evaluator, activeTokens);
  const first = problems[0];
  if (first) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
    throw new FactorywatchError('POLICY_INVALID', `${first.message}${more}`, first.path);
  }
}
