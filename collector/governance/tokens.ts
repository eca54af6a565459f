/**
 * API tokens, kept in `<dataDir>/tokens.json` (a fleet may mount the same file, like Prometheus'
 * web config). Only SHA-256 hashes of the secrets are stored; secrets are shown once, at creation.
 * A running collector picks up changes without a restart: `authenticate` re-stats the file at
 * most once per `reloadCheckMs` and re-reads it only when its mtime, size or inode changed.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Principal } from '../http/principal.js';
import { writeFileAtomic, withFileLock } from './files.js';

/** Every secret starts with this, so leaked tokens are recognisable by secret scanners. */
export const TOKEN_PREFIX = 'fw_';
/** 32 random bytes = 256 bits of entropy, base64url-encoded to 43 characters. */
const SECRET_BYTES = 32;
const SECRET_PATTERN = /^fw_[A-Za-z0-9_-]{43}$/;

/** One token as stored: never the secret, only its hash. */
export interface TokenRecord {
  id: string;
  subject: string;
  role: string;
  tenant: string;
  /** Hex SHA-256 of the secret. */
  sha256: string;
  createdAt: string;
  revokedAt: string | null;
}

/** A token as listed to humans: no hash either. */
export type TokenInfo = Omit<TokenRecord, 'sha256'>;

interface TokenFile {
  version: 1;
  tokens: TokenRecord[];
}

/** What the HTTP guard needs from a token store. */
export interface TokenAuthenticator {
  /** The principal of a valid, unrevoked secret; undefined otherwise. */
  authenticate(secret: string): Principal | undefined;
}

/** The path of the tokens file in a data dir. */
export function tokensPath(dataDir: string): string {
  return join(dataDir, 'tokens.json');
}

/** Hex SHA-256 of a token secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Whether a string has the shape of a factorywatch token secret. */
export function looksLikeSecret(value: string): boolean {
  return SECRET_PATTERN.test(value);
}

/** Reads, writes and authenticates against one tokens file. */
export class TokenStore implements TokenAuthenticator {
  private byHash = new Map<string, { record: TokenRecord; principal: Principal }>();
  private records: TokenRecord[] = [];
  private fingerprint = '';
  private nextCheckAt = 0;
  /** Why the last hot reload failed (the previous tokens stay in force), for logs and tests. */
  lastReloadError: Error | undefined;

  /** `now` is injectable so tests can step past the reload interval without sleeping. */
  /** Called after every (re)load with all records, so the collector can audit token changes made by the CLI. */
  onLoad: ((records: readonly TokenRecord[]) => void) | undefined;

  constructor(
    readonly path: string,
    private readonly reloadCheckMs = 1000,
    private readonly now: () => number = Date.now,
  ) {
    this.reload(true);
    this.nextCheckAt = now() + reloadCheckMs;
  }

  /** Creates a token; returns the secret (shown once) and its stored record. */
  create(input: { subject: string; role: string; tenant?: string }): { secret: string; token: TokenInfo } {
    const subject = input.subject.trim();
    const tenant = (input.tenant ?? 'default').trim();
    if (!/^[^\s,]{1,128}$/.test(subject))
      throw new Error('subject must be 1-128 characters without spaces or commas.');
    if (!/^[^\s,]{1,64}$/.test(input.role))
      throw new Error('role must be 1-64 characters without spaces or commas.');
    if (!/^(\*|[A-Za-z0-9._-]{1,64})$/.test(tenant))
      throw new Error('tenant must be "*" or 1-64 of [A-Za-z0-9._-].');
    const secret = TOKEN_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
    const record: TokenRecord = {
      id: `tok_${randomBytes(8).toString('hex')}`,
      subject,
      role: input.role,
      tenant,
      sha256: hashSecret(secret),
      createdAt: new Date(this.now()).toISOString(),
      revokedAt: null,
    };
    this.update((tokens) => [...tokens, record]);
    return { secret, token: info(record) };
  }

  /** Revokes by id or by secret; returns the revoked token, or undefined when none matched. */
  revoke(idOrSecret: string): TokenInfo | undefined {
    const hash = looksLikeSecret(idOrSecret) ? hashSecret(idOrSecret) : undefined;
    let revoked: TokenRecord | undefined;
    this.update((tokens) =>
      tokens.map((t) => {
        if (t.revokedAt !== null || (t.id !== idOrSecret && t.sha256 !== hash)) return t;
        revoked = { ...t, revokedAt: new Date(this.now()).toISOString() };
        return revoked;
      }),
    );
    return revoked && info(revoked);
  }

  /** Every token, revoked ones included, without hashes. */
  list(): TokenInfo[] {
    this.reload(true);
    return this.records.map(info);
  }

  /** Active (unrevoked) tokens, for checks such as "someone can still change policy". */
  active(): TokenInfo[] {
    this.reloadIfDue();
    return this.records.filter((r) => r.revokedAt === null).map(info);
  }

  authenticate(secret: string): Principal | undefined {
    this.reloadIfDue();
    if (!SECRET_PATTERN.test(secret)) return undefined;
    const hash = hashSecret(secret);
    const found = this.byHash.get(hash);
    // The map lookup is on a hash of the secret; the final comparison is constant-time anyway.
    if (!found || !timingSafeEqual(Buffer.from(found.record.sha256, 'hex'), Buffer.from(hash, 'hex')))
      return undefined;
    return found.principal;
  }

  private reloadIfDue(): void {
    const now = this.now();
    if (now < this.nextCheckAt) return;
    this.nextCheckAt = now + this.reloadCheckMs;
    try {
      this.reload(false);
      this.lastReloadError = undefined;
    } catch (error) {
      // A half-edited or corrupt file must not lock everyone out: keep the last good tokens.
      this.lastReloadError = error as Error;
    }
  }

  private reload(force: boolean): void {
    const stats = statSync(this.path, { throwIfNoEntry: false });
    const fingerprint = stats ? fingerprintOf(stats) : 'absent';
    if (!force && fingerprint === this.fingerprint) return;
    this.apply(stats ? parseTokenFile(readFileSync(this.path, 'utf8'), this.path).tokens : [], fingerprint);
  }

  private apply(records: TokenRecord[], fingerprint: string): void {
    const byHash = new Map<string, { record: TokenRecord; principal: Principal }>();
    for (const record of records) {
      if (record.revokedAt !== null) continue;
      const principal: Principal = Object.freeze({
        subject: record.subject,
        role: record.role,
        tenant: record.tenant,
        tokenId: record.id,
      });
      byHash.set(record.sha256, { record, principal });
    }
    this.records = records;
    this.byHash = byHash;
    this.fingerprint = fingerprint;
    this.onLoad?.(records);
  }

  /** Re-reads the file now if it changed (the collector calls this on a timer, so changes are seen without requests). */
  refresh(): void {
    this.nextCheckAt = 0;
    this.reloadIfDue();
  }

  private update(change: (tokens: TokenRecord[]) => TokenRecord[]): void {
    withFileLock(this.path, () => {
      this.reload(true);
      const next: TokenFile = { version: 1, tokens: change(this.records) };
      writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`, 0o600);
      this.reload(true);
    });
  }
}

function info(record: TokenRecord): TokenInfo {
  const { sha256: _hash, ...rest } = record;
  return rest;
}

function fingerprintOf(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

/** Parses and checks a tokens file; throws naming the bad entry so a hand edit cannot silently lock everyone out. */
export function parseTokenFile(text: string, path: string): TokenFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const file = raw as Partial<TokenFile> | null;
  if (!file || file.version !== 1 || !Array.isArray(file.tokens)) {
    throw new Error(`${path} must hold {"version":1,"tokens":[…]}.`);
  }
  file.tokens.forEach((t, i) => {
    const ok =
      t !== null &&
      typeof t === 'object' &&
      typeof t.id === 'string' &&
      typeof t.subject === 'string' &&
      typeof t.role === 'string' &&
      typeof t.tenant === 'string' &&
      typeof t.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(t.sha256) &&
      typeof t.createdAt === 'string' &&
      (t.revokedAt === null || typeof t.revokedAt === 'string');
    if (!ok) throw new Error(`${path}: /tokens/${i} is not a valid token record.`);
  });
  return file as TokenFile;
}
