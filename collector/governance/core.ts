/**
 * The governance part assembled: tokens, authorizer, audit trail and their jobs. The lead wires
 * it with `createGovernance(...)`, `governance.registerGuard(app)`, `app.register(governance.routes)`,
 * `governance.start()` and, on shutdown, `governance.stop()`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import type { AuditStore } from '../store/audit-store.js';
import type { Store } from '../store/store.js';
import { Authorizer } from './authorizer.js';
import { readAuditPolicy, type AuditPolicy } from './audit/audit-policy.js';
import type { AuditEventInput } from './audit/event.js';
import { requestRecorder } from './audit/request-recorder.js';
import { loadOrCreateSigner, publicKeysFrom, type PublicKeys } from './audit/signing-key.js';
import { AuditTrail } from './audit/trail.js';
import { verifyChain } from './audit/verify.js';
import { writeFileAtomic } from './files.js';
import { registerGuard } from './guard.js';
import { governanceRoutes } from './http-routes.js';
import { governanceMetrics, type GovernanceMetrics } from './metrics.js';
import { activePolicyPath, policiesDirOf, readPolicyFiles } from './policy-files.js';
import { TokenStore, tokensPath, type TokenInfo } from './tokens.js';

/** What createGovernance needs. */
export interface GovernanceDeps {
  readonly dataDir: string;
  readonly config: Config;
  readonly store: Store;
  readonly registry: Registry;
  readonly logger: Logger;
}

/** Who changed a policy, for the audit trail. */
export interface PolicyChangeActor {
  actor: string;
  role: string;
  tenant: string;
  requestId?: string;
}

/** The assembled governance part. */
export interface GovernanceCore {
  readonly tokens: TokenStore;
  readonly authorizer: Authorizer;
  readonly trail: AuditTrail;
  readonly store: AuditStore;
  readonly auditPolicy: AuditPolicy;
  readonly publicKeys: PublicKeys;
  readonly publicKeyPem: string;
  readonly metrics: GovernanceMetrics;
  /** Records an event (other parts use it for drift reference changes: kind `reference_change`). */
  append(input: AuditEventInput): void;
  /** Validates, persists, swaps in and audits a new policy. */
  changePolicy(text: string, by: PolicyChangeActor): Promise<{ hash: string; previousHash: string }>;
  /** The trail as NDJSON lines: a header (chain, public key, checkpoints) then every event row. */
  exportLines(): Readable;
}

/** The assembled governance part plus its wiring entry points. */
export interface Governance extends GovernanceCore {
  /** Adds the auth + audit hooks to `app` (call before registering routes). */
  registerGuard(app: FastifyInstance): void;
  /** The fastify plugin with the governance routes. */
  routes(app: FastifyInstance): Promise<void>;
  /** Records collector_start and starts the checkpoint, retention, verification and token-watch jobs. */
  start(): Promise<void>;
  /** Stops the jobs, records collector_stop, flushes and signs a final checkpoint. */
  stop(): Promise<void>;
}

/** The audit chain id of this collector: configured, or stored in the data dir. */
export function chainIdFor(dataDir: string, configured: string): string {
  if (configured !== '') return configured;
  const path = join(dataDir, 'audit-chain-id');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const id = `fw-${randomBytes(6).toString('hex')}`;
  writeFileAtomic(path, `${id}\n`, 0o644);
  return id;
}

/** Builds the governance part from the data dir, the configuration and the store. */
export async function createGovernance(deps: GovernanceDeps): Promise<Governance> {
  const { dataDir, config, store, registry, logger } = deps;
  const g = config.governance;
  const policiesDir = policiesDirOf(g.policiesDir);
  const files = readPolicyFiles(policiesDir, dataDir);
  const authorizer = await Authorizer.create(files.modelText, files.policyText);
  const auditPolicyPath = g.auditPolicyPath || join(policiesDir, 'audit.yaml');
  const auditPolicy = readAuditPolicy(auditPolicyPath);
  const tokens = new TokenStore(tokensPath(dataDir));
  const signer = loadOrCreateSigner(dataDir);
  const publicKeys = publicKeysFrom([signer.publicKeyPem]);
  const metrics = governanceMetrics(registry);
  const trail = await AuditTrail.open({
    store: store.audit,
    chainId: chainIdFor(dataDir, g.chainId),
    signer,
    onAppend: () => metrics.auditEvents.inc(),
    onFlushError: (error) =>
      logger.error({ err: error }, 'audit: writing events failed; they stay buffered and are retried'),
  });
  if (trail.latestCheckpoint) metrics.auditLastCheckpoint.set(trail.latestCheckpoint.ts / 1000);
  const append = (input: AuditEventInput) => void trail.append(input);
  const recorder = requestRecorder(auditPolicy, { append, policyHash: () => authorizer.policy.hash });
  let policyLock: Promise<unknown> = Promise.resolve();
  const timers: NodeJS.Timeout[] = [];
  const tokenAuditor = watchTokenChanges(tokens, join(dataDir, 'audit-token-state.json'), append);

  const core: Governance = {
    tokens,
    authorizer,
    trail,
    store: store.audit,
    auditPolicy,
    publicKeys,
    publicKeyPem: signer.publicKeyPem,
    metrics,
    append,
    changePolicy(text, by) {
      const run = async () => {
        const previousHash = authorizer.policy.hash;
        const prepared = await authorizer.prepare(text, tokens.active());
        writeFileAtomic(activePolicyPath(dataDir), text, 0o644);
        prepared.commit();
        metrics.policyChanges.inc();
        append({
          kind: 'policy_change',
          actor: by.actor,
          role: by.role,
          tenant: by.tenant,
          auth: 'bearer',
          action: 'policy.change',
          resource: 'policies',
          decision: 'allow',
          policy: prepared.policy.hash,
          ...(by.requestId ? { requestId: by.requestId } : {}),
          details: { oldHash: previousHash, newHash: prepared.policy.hash },
        });
        return { hash: prepared.policy.hash, previousHash };
      };
      const result = policyLock.then(run, run);
      policyLock = result.catch(() => undefined);
      return result;
    },
    exportLines() {
      return Readable.from(exportNdjson(store.audit, trail.chainId, signer.publicKeyPem));
    },
    registerGuard(app) {
      registerGuard(app, { tokens, authorizer, registry, logger, audit: recorder });
    },
    routes: (app) => governanceRoutes(app, core),
    async start() {
      append({
        kind: 'collector_start',
        actor: 'system',
        auth: 'local',
        action: 'collector.start',
        policy: authorizer.policy.hash,
      });
      tokenAuditor();
      const every = (ms: number, job: () => Promise<unknown>, what: string) => {
        if (ms <= 0) return;
        const timer = setInterval(
          () => void job().catch((err: unknown) => logger.error({ err }, `audit: ${what} failed`)),
          ms,
        );
        timer.unref();
        timers.push(timer);
      };
      every(1000, async () => tokens.refresh(), 'token watch');
      every(
        g.checkpointIntervalMs,
        async () => {
          const c = await trail.checkpoint();
          if (c) metrics.auditLastCheckpoint.set(c.ts / 1000);
        },
        'checkpoint',
      );
      every(
        g.retentionIntervalMs,
        () => trail.cutBefore(Date.now() - auditPolicy.retentionDays * 86_400_000),
        'retention',
      );
      every(
        g.verifyIntervalMs,
        async () => {
          const report = await verifyChain(store.audit, trail.chainId, publicKeys, { deep: false });
          metrics.auditChainOk.set(report.ok ? 1 : 0);
          if (!report.ok) logger.error({ damage: report.damage }, 'audit: the audit chain is damaged');
        },
        'verification',
      );
      await trail.checkpoint();
      metrics.auditChainOk.set(1);
    },
    async stop() {
      for (const t of timers.splice(0)) clearInterval(t);
      append({
        kind: 'collector_stop',
        actor: 'system',
        auth: 'local',
        action: 'collector.stop',
        policy: authorizer.policy.hash,
      });
      const c = await trail.checkpoint();
      if (c) metrics.auditLastCheckpoint.set(c.ts / 1000);
    },
  };
  return core;
}

/**
 * Audits token creations and revocations, including those made by the CLI while the collector
 * was stopped: the last audited state is kept in the data dir and compared with the file.
 */
function watchTokenChanges(
  tokens: TokenStore,
  statePath: string,
  append: (input: AuditEventInput) => void,
): () => void {
  let known: Record<string, boolean> = existsSync(statePath)
    ? (JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, boolean>)
    : {};
  const diff = (records: readonly TokenInfo[]) => {
    let changed = false;
    const next: Record<string, boolean> = {};
    for (const r of records) {
      const revoked = r.revokedAt !== null;
      next[r.id] = revoked;
      const base = {
        actor: 'local-cli',
        auth: 'local',
        role: r.role,
        tenant: r.tenant,
        resource: r.id,
        details: { tokenId: r.id, subject: r.subject },
      };
      if (!(r.id in known)) {
        append({ kind: 'token_create', action: 'token.create', ...base });
        changed = true;
      }
      if (revoked && known[r.id] !== true) {
        append({ kind: 'token_revoke', action: 'token.revoke', ...base });
        changed = true;
      }
    }
    known = next;
    if (changed) writeFileAtomic(statePath, JSON.stringify(known), 0o600);
  };
  return () => {
    tokens.onLoad = diff;
    diff(tokens.list());
  };
}

/** The trail of one chain as NDJSON lines: a header (chain, public key, checkpoints), then one line per event. */
export async function* exportNdjson(
  store: AuditStore,
  chainId: string,
  publicKeyPem: string,
): AsyncGenerator<string> {
  const checkpoints = await store.checkpoints(chainId);
  yield `${JSON.stringify({ type: 'header', format: 'factorywatch-audit-export/v1', chainId, publicKeys: [publicKeyPem], checkpoints })}\n`;
  const range = await store.seqRange(chainId);
  if (!range) return;
  for (let from = range.first; from <= range.last; from += 10_000) {
    const rows = await store.eventsInRange(chainId, from, from + 10_000);
    yield rows.map((r) => `${JSON.stringify({ type: 'event', ...r })}\n`).join('');
  }
}
