/**
 * `factorywatch audit query|verify|export|proof`. query and proof talk HTTP to a running
 * collector; verify and export use HTTP while the collector runs and the data dir directly
 * while it is stopped (or with --offline); `verify --export FILE` checks an export offline.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../store/open.js';
import { checkpointSignatureOk } from './audit/checkpoint.js';
import { loadExport } from './audit/export-source.js';
import { verifyConsistency, verifyInclusion } from './audit/merkle.js';
import { publicKeyPath, publicKeysFrom } from './audit/signing-key.js';
import { verifyChain, type VerifyReport } from './audit/verify.js';
import { chainIdFor, exportNdjson } from './core.js';
import { endpointOf } from '../cli/collector-client.js';
import { dataDirFrom, describeError, println, type CliIo } from './cli-io.js';
import { parseCommandArgs } from '../cli/args.js';
import type { AuditCheckpointRow } from '../store/audit-store.js';

const USAGE = `usage:
  factorywatch audit query [--actor A] [--action A] [--resource R] [--decision allow|deny] [--tenant T]
                           [--since 24h|ISO] [--until ISO] [--limit N] [--json]
  factorywatch audit verify [--offline] [--export FILE [--public-key PEM]] [--json]
  factorywatch audit export --out DIR [--offline]
  factorywatch audit proof --seq N | --from A [--to B] [--json]
common: --url URL --token T (running collector), --data-dir D --store SPEC (stopped collector)`;

interface Flags {
  url: string;
  token: string | undefined;
  dataDir: string;
  store: string | undefined;
  offline: boolean;
  json: boolean;
  values: Record<string, string | boolean | undefined>;
}

/** Runs `audit …`; returns the exit code (0 ok, 1 failed or damaged, 2 usage). */
export async function runAuditCli(args: string[], io: CliIo): Promise<number> {
  const argv = args[0] === 'audit' ? args.slice(1) : args;
  const parsed = parseCommandArgs(
    {
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        'data-dir': { type: 'string' },
        store: { type: 'string' },
        offline: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        actor: { type: 'string' },
        action: { type: 'string' },
        resource: { type: 'string' },
        decision: { type: 'string' },
        tenant: { type: 'string' },
        kind: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        limit: { type: 'string' },
        out: { type: 'string' },
        export: { type: 'string' },
        'public-key': { type: 'string' },
        seq: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        shallow: { type: 'boolean', default: false },
      },
    },
    USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const flags: Flags = {
    ...endpointOf(values),
    dataDir: dataDirFrom(values['data-dir']),
    store: values.store ?? (process.env.FACTORYWATCH_STORE || undefined),
    offline: values.offline,
    json: values.json,
    values,
  };
  try {
    switch (positionals[0]) {
      case 'query':
        return await query(flags, io);
      case 'verify':
        return await verify(flags, io);
      case 'export':
        return await exportTrail(flags, io);
      case 'proof':
        return await proof(flags, io);
      default:
        println(io.stderr, USAGE);
        return 2;
    }
  } catch (error) {
    println(io.stderr, describeError(error));
    return 1;
  }
}

async function http(flags: Flags, path: string): Promise<Response> {
  const response = await fetch(`${flags.url}${path}`, {
    headers: flags.token ? { authorization: `Bearer ${flags.token}` } : {},
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new Error(
      `${response.status} ${body.error?.code ?? ''}: ${body.error?.message ?? response.statusText}`,
    );
  }
  return response;
}

function isUnreachable(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH'].includes(cause?.code ?? '');
}

/** `24h`, `7d`, `30m` before now, or an ISO time. */
function sinceToIso(value: string): string {
  const m = /^(\d+)([smhd])$/.exec(value);
  if (!m) return value;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return new Date(Date.now() - Number(m[1]) * unit).toISOString();
}

async function query(flags: Flags, io: CliIo): Promise<number> {
  const v = flags.values;
  const want = Number(v.limit ?? 100);
  const params = new URLSearchParams();
  for (const key of ['actor', 'action', 'resource', 'decision', 'tenant', 'kind'] as const) {
    const value = v[key];
    if (typeof value === 'string') params.set(key, value);
  }
  if (typeof v.since === 'string') params.set('from', sinceToIso(v.since));
  if (typeof v.until === 'string') params.set('until', sinceToIso(v.until));
  const events: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    params.set('limit', String(Math.min(1000, want - events.length)));
    if (cursor) params.set('cursor', cursor);
    const page = (await (await http(flags, `/v1/audit?${params}`)).json()) as {
      events: Record<string, unknown>[];
      next_cursor: string | null;
    };
    events.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor && events.length < want);
  if (flags.json) println(io.stdout, JSON.stringify(events));
  else {
    for (const e of events) {
      println(
        io.stdout,
        [
          e.seq,
          new Date(Number(e.ts)).toISOString(),
          e.kind,
          e.actor ?? '',
          e.tenant ?? '',
          e.action ?? '',
          e.decision ?? '',
          e.status ?? '',
          e.rule ?? '',
        ].join('\t'),
      );
    }
  }
  return 0;
}

function printReport(report: VerifyReport, io: CliIo, json: boolean): number {
  if (json) println(io.stdout, JSON.stringify(report));
  else if (report.ok) {
    println(
      io.stdout,
      `ok: chain ${report.chainId}: ${report.events} events verified (seq ${report.firstSeq ?? '-'}..${report.lastSeq ?? '-'}), ${report.checkpoints} signed checkpoints, root ${report.rootHash ?? '-'}`,
    );
  } else {
    const d = report.damage!;
    println(
      io.stdout,
      `DAMAGED: chain ${report.chainId}: first bad sequence number ${d.seq} (${d.kind}): ${d.message}`,
    );
  }
  return report.ok ? 0 : 1;
}

async function openOffline(flags: Flags) {
  const spec = flags.store ?? `duckdb:${join(flags.dataDir, 'factorywatch.duckdb')}`;
  if (spec.startsWith('duckdb:') && !existsSync(spec.slice('duckdb:'.length)))
    throw new Error(`No store at ${spec.slice(7)}; pass --data-dir or --store.`);
  return openStore(spec);
}

async function verify(flags: Flags, io: CliIo): Promise<number> {
  const exportFile = flags.values.export;
  if (typeof exportFile === 'string') {
    const loaded = loadExport(exportFile);
    const pinned = flags.values['public-key'];
    const keys = publicKeysFrom(
      typeof pinned === 'string' ? [readFileSync(pinned, 'utf8')] : loaded.publicKeys,
    );
    if (typeof pinned !== 'string')
      println(
        io.stderr,
        'note: using the public key inside the export; pin the one you trust with --public-key.',
      );
    return printReport(
      await verifyChain(loaded.source, loaded.chainId, keys, { deep: !flags.values.shallow }),
      io,
      flags.json,
    );
  }
  if (!flags.offline) {
    try {
      const report = (await (
        await http(flags, `/v1/audit/verify?deep=${flags.values.shallow ? 'false' : 'true'}`)
      ).json()) as VerifyReport;
      return printReport(report, io, flags.json);
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      println(
        io.stderr,
        `note: no collector at ${flags.url}; verifying the data dir ${flags.dataDir} directly.`,
      );
    }
  }
  const keys = publicKeysFrom([readFileSync(publicKeyPath(flags.dataDir), 'utf8')]);
  const store = await openOffline(flags);
  try {
    const chains = await store.audit.chains();
    if (chains.length === 0) chains.push(chainIdFor(flags.dataDir, ''));
    let code = 0;
    for (const chain of chains)
      code = Math.max(
        code,
        printReport(
          await verifyChain(store.audit, chain, keys, { deep: !flags.values.shallow }),
          io,
          flags.json,
        ),
      );
    return code;
  } finally {
    await store.close();
  }
}

async function exportTrail(flags: Flags, io: CliIo): Promise<number> {
  const out = flags.values.out;
  if (typeof out !== 'string') {
    println(io.stderr, `audit export needs --out DIR.\n${USAGE}`);
    return 2;
  }
  mkdirSync(out, { recursive: true });
  let text: string | undefined;
  if (!flags.offline) {
    try {
      text = await (await http(flags, '/v1/audit/export')).text();
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      println(io.stderr, `note: no collector at ${flags.url}; exporting from the data dir ${flags.dataDir}.`);
    }
  }
  if (text === undefined) {
    const store = await openOffline(flags);
    try {
      const pem = readFileSync(publicKeyPath(flags.dataDir), 'utf8');
      const parts: string[] = [];
      for (const chain of await store.audit.chains())
        for await (const chunk of exportNdjson(store.audit, chain, pem)) parts.push(chunk);
      text = parts.join('');
    } finally {
      await store.close();
    }
  }
  const header = JSON.parse(text.slice(0, text.indexOf('\n'))) as {
    chainId: string;
    publicKeys: string[];
    checkpoints: AuditCheckpointRow[];
  };
  const file = join(out, `audit-${header.chainId}.ndjson`);
  writeFileSync(file, text);
  writeFileSync(
    join(out, `checkpoints-${header.chainId}.json`),
    `${JSON.stringify(header.checkpoints, null, 2)}\n`,
  );
  writeFileSync(join(out, 'audit-signing-key.pub.pem'), header.publicKeys[0] ?? '');
  const events = text.split('\n').length - 2;
  println(io.stdout, file);
  println(
    io.stderr,
    `Exported ${events} events and ${header.checkpoints.length} checkpoints; check with: factorywatch audit verify --export ${file} --public-key ${join(out, 'audit-signing-key.pub.pem')}`,
  );
  return 0;
}

async function proof(flags: Flags, io: CliIo): Promise<number> {
  const v = flags.values;
  const path =
    typeof v.seq === 'string'
      ? `/v1/audit/proof?seq=${encodeURIComponent(v.seq)}`
      : typeof v.from === 'string'
        ? `/v1/audit/proof?from=${encodeURIComponent(v.from)}${typeof v.to === 'string' ? `&to=${encodeURIComponent(v.to)}` : ''}`
        : undefined;
  if (!path) {
    println(io.stderr, `audit proof needs --seq N or --from A [--to B].\n${USAGE}`);
    return 2;
  }
  const body = (await (await http(flags, path)).json()) as Record<string, unknown>;
  const keys = publicKeysFrom([String(body.publicKey)]);
  const hex = (s: unknown) => Buffer.from(String(s), 'hex');
  let verified: boolean;
  if (body.type === 'inclusion') {
    const c = body.checkpoint as AuditCheckpointRow;
    verified =
      checkpointSignatureOk(keys, c) &&
      verifyInclusion(
        hex(body.leafHash),
        Number(body.seq),
        c.treeSize,
        (body.proof as string[]).map(hex),
        hex(c.rootHash),
      );
  } else {
    const a = body.fromCheckpoint as AuditCheckpointRow | null;
    const b = body.toCheckpoint as AuditCheckpointRow | null;
    verified =
      a !== null &&
      b !== null &&
      checkpointSignatureOk(keys, a) &&
      checkpointSignatureOk(keys, b) &&
      verifyConsistency(
        a.treeSize,
        b.treeSize,
        hex(a.rootHash),
        hex(b.rootHash),
        (body.proof as string[]).map(hex),
      );
  }
  if (flags.json) println(io.stdout, JSON.stringify({ ...body, verified }));
  else
    println(
      io.stdout,
      `${verified ? 'verified' : 'NOT VERIFIED'}: ${body.type} proof ${body.type === 'inclusion' ? `of seq ${body.seq} in tree size ${(body.checkpoint as AuditCheckpointRow).treeSize}` : `from ${body.from} to ${body.to}`}: ${(body.proof as string[]).join(' ')}`,
    );
  return verified ? 0 : 1;
}
