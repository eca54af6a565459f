/**
 * Verification of a stored (or exported) audit chain: recomputes every hash, checks the
 * links, the signed checkpoints (signature, head hash and, in deep mode, the Merkle root) and
 * the signed retention cut the chain starts from. On damage it names the first bad sequence
 * number and what happened there, like CloudTrail's validate-logs.
 */
import type {
  AuditCheckpointRow,
  AuditColumnScan,
  AuditEventRow,
  AuditStore,
} from '../../store/audit-store.js';
import { checkpointSignatureOk, retentionCutSignatureOk, type RetentionCut } from './checkpoint.js';
import { exactIndexMatch } from './body-index.js';
import { verifyColumns } from './column-verify.js';
import { chainHash, eventLeafHash, GENESIS_HASH, type AuditEventBody } from './event.js';
import { MerkleTree, type SubtreeHash } from './merkle.js';
import type { PublicKeys } from './signing-key.js';

/** What can be wrong with a chain. */
export type DamageKind =
  | 'modified'
  | 'inserted'
  | 'deleted'
  | 'reordered'
  | 'truncated'
  | 'bad_checkpoint_signature'
  | 'checkpoint_mismatch'
  | 'bad_retention_cut';

/** The first damage found. */
export interface Damage {
  /** The first bad sequence number. */
  seq: number;
  kind: DamageKind;
  message: string;
}

/** The outcome of a verification. */
export interface VerifyReport {
  ok: boolean;
  chainId: string;
  /** Events checked. */
  events: number;
  firstSeq: number | null;
  lastSeq: number | null;
  checkpoints: number;
  /** The newest checkpoint's tree size and root, when there is one. */
  treeSize: number;
  rootHash: string | null;
  /** Whether Merkle roots were recomputed too. */
  deep: boolean;
  damage?: Damage;
}

/**
 * The reads verification needs: a store, or an export loaded in memory. A source that also has
 * a column scan (the DuckDB store) is checked through it first (see column-verify.ts).
 */
export type VerifySource = Pick<AuditStore, 'seqRange' | 'eventsInRange' | 'checkpoints' | 'queryEvents'> &
  Partial<AuditColumnScan>;

const PAGE = 50_000;
const LOOKAHEAD = 64;

/** Verifies one chain. `deep` also recomputes the Merkle root of every checkpoint. */
export async function verifyChain(
  source: VerifySource,
  chainId: string,
  keys: PublicKeys,
  options: { deep?: boolean } = {},
): Promise<VerifyReport> {
  const deep = options.deep ?? true;
  const checkpoints = await source.checkpoints(chainId);
  const range = await source.seqRange(chainId);
  const newest = checkpoints.at(-1);
  const report: VerifyReport = {
    ok: true,
    chainId,
    events: 0,
    firstSeq: range?.first ?? null,
    lastSeq: range?.last ?? null,
    checkpoints: checkpoints.length,
    treeSize: newest?.treeSize ?? 0,
    rootHash: newest?.rootHash ?? null,
    deep,
  };
  const fail = (damage: Damage): VerifyReport => ({ ...report, ok: false, damage });

  let signatureDamage: Damage | undefined;
  for (const c of checkpoints) {
    if (!checkpointSignatureOk(keys, c)) {
      signatureDamage = {
        seq: Math.max(0, c.treeSize - 1),
        kind: 'bad_checkpoint_signature',
        message: `The checkpoint of tree size ${c.treeSize} (signed ${new Date(c.ts).toISOString()}) has an invalid signature or an unknown key ${c.keyId}.`,
      };
      break;
    }
  }
  const firstOf = (chain?: Damage): VerifyReport => {
    const damage = [chain, signatureDamage]
      .filter((d): d is Damage => d !== undefined)
      .sort((a, b) => a.seq - b.seq)[0];
    return damage ? fail(damage) : report;
  };

  if (!range) {
    const expected = newest?.treeSize ?? 0;
    if (expected > 0)
      return firstOf({
        seq: 0,
        kind: 'truncated',
        message: `The trail is empty but a checkpoint covers ${expected} events.`,
      });
    return firstOf();
  }

  let prev = GENESIS_HASH;
  let tree = new MerkleTree();
  let cutFrontier: readonly SubtreeHash[] = [];
  if (range.first > 0) {
    const cut = await latestCutAtOrBefore(source, chainId, range.first);
    if (!cut)
      return firstOf({
        seq: 0,
        kind: 'deleted',
        message: `Events 0..${range.first - 1} are missing and no retention cut accounts for them.`,
      });
    if (!retentionCutSignatureOk(keys, cut)) {
      return firstOf({
        seq: cut.beforeSeq,
        kind: 'bad_retention_cut',
        message: `The retention cut before seq ${cut.beforeSeq} has an invalid signature.`,
      });
    }
    if (cut.beforeSeq < range.first) {
      return firstOf({
        seq: cut.beforeSeq,
        kind: 'deleted',
        message: `Events ${cut.beforeSeq}..${range.first - 1} are missing; the signed retention cut only removed events before ${cut.beforeSeq}.`,
      });
    }
    prev = cut.chainHash;
    tree = new MerkleTree(cut.beforeSeq, cut.frontier);
    cutFrontier = cut.frontier;
  }

  const bySize = new Map<number, AuditCheckpointRow[]>();
  for (const c of checkpoints) bySize.set(c.treeSize, [...(bySize.get(c.treeSize) ?? []), c]);

  if (source.scanChainColumns) {
    const frontier = canonicalFrontier(range.first, cutFrontier);
    const events =
      frontier &&
      (await verifyColumns(
        source as AuditColumnScan,
        chainId,
        { firstSeq: range.first, prevHash: prev, frontier },
        bySize,
        deep,
      ));
    // All intact through the fast pass: only the tail against the newest checkpoint is left.
    // Anything off: the exact ordered pass below names the first bad seq.
    if (events !== undefined && events === range.last - range.first + 1) {
      report.events = events;
      return firstOf(truncation(newest, range.last + 1));
    }
  }

  let lastGoodCheckpointSize = range.first;
  let expected = range.first;
  for (let from = range.first; from <= range.last; from += PAGE) {
    const rows = await source.eventsInRange(chainId, from, from + PAGE);
    for (const row of rows) {
      if (row.seq !== expected || row.prevHash !== prev || chainHash(prev, row.body) !== row.hash) {
        return firstOf(await classify(source, chainId, expected, prev, row));
      }
      prev = row.hash;
      if (deep) {
        if (!indexMatchesBody(row)) {
          return firstOf({
            seq: row.seq,
            kind: 'modified',
            message: `Event ${row.seq}'s index columns (actor, action, tenant, …) were changed: they no longer match its hashed body.`,
          });
        }
        tree.appendLeafHash(eventLeafHash(row.hash));
      }
      expected++;
      report.events++;
      const covering = bySize.get(expected);
      if (covering) {
        for (const c of covering) {
          if (c.headHash !== row.hash || (deep && tree.root(expected).toString('hex') !== c.rootHash)) {
            return firstOf({
              seq: lastGoodCheckpointSize,
              kind: 'checkpoint_mismatch',
              message: `Events ${lastGoodCheckpointSize}..${expected - 1} do not match the signed checkpoint of tree size ${expected}: they were rewritten (hashes recomputed).`,
            });
          }
        }
        lastGoodCheckpointSize = expected;
      }
    }
  }
  return firstOf(truncation(newest, expected));
}

/** Truncation damage when the newest checkpoint covers more than the `held` events. */
function truncation(newest: AuditCheckpointRow | undefined, held: number): Damage | undefined {
  if (!newest || newest.treeSize <= held) return undefined;
  return {
    seq: held,
    kind: 'truncated',
    message: `Events ${held}..${newest.treeSize - 1} are missing from the end: the newest checkpoint covers ${newest.treeSize} events.`,
  };
}

/**
 * A retention cut's frontier as compact-range hashes, when it is exactly the decomposition of
 * [0, size) into complete subtrees, largest first; undefined otherwise (the exact pass judges).
 */
function canonicalFrontier(size: number, frontier: readonly SubtreeHash[]): Uint8Array[] | undefined {
  const hashes: Uint8Array[] = [];
  let offset = 0;
  let next = 0;
  for (let level = 52; level >= 0; level--) {
    const width = 2 ** level;
    if (offset + width > size) continue;
    const node = frontier[next++];
    if (!node || node.level !== level || node.index !== offset / width || !/^[0-9a-f]{64}$/.test(node.hash))
      return undefined;
    hashes.push(Buffer.from(node.hash, 'hex'));
    offset += width;
  }
  return next === frontier.length ? hashes : undefined;
}

async function latestCutAtOrBefore(
  source: VerifySource,
  chainId: string,
  firstSeq: number,
): Promise<RetentionCut | undefined> {
  const rows = await source.queryEvents({ chainId, kind: 'retention_cut', limit: 100_000 });
  let best: RetentionCut | undefined;
  for (const row of rows) {
    const cut = parseBody(row)?.details as RetentionCut | undefined;
    if (
      cut &&
      typeof cut.beforeSeq === 'number' &&
      cut.beforeSeq <= firstSeq &&
      (!best || cut.beforeSeq > best.beforeSeq)
    )
      best = cut;
  }
  return best;
}

/** Whether the searchable columns say what the hashed body says (see body-index.ts). */
export const indexMatchesBody = exactIndexMatch;

function parseBody(row: AuditEventRow): AuditEventBody | undefined {
  try {
    return JSON.parse(row.body) as AuditEventBody;
  } catch {
    return undefined;
  }
}

/**
 * Names the damage at the first position that failed, from the rows around it: the stored
 * prev_hash/hash columns identify genuine events even when their seq was changed, and the seq
 * inside each (hashed) body says where an event originally stood.
 */
async function classify(
  source: VerifySource,
  chainId: string,
  expected: number,
  prev: string,
  row: AuditEventRow,
): Promise<Damage> {
  const selfOk = (r: AuditEventRow) => chainHash(r.prevHash, r.body) === r.hash;
  const bodySeq = (r: AuditEventRow) => parseBody(r)?.seq ?? Number.NaN;
  const window = (await source.eventsInRange(chainId, row.seq, row.seq + LOOKAHEAD)).filter((r) => r !== row);
  const successorLater = window.some((r) => r.prevHash === prev && selfOk(r));
  const at = (seq: number, kind: DamageKind, message: string): Damage => ({ seq, kind, message });

  if (row.seq < expected) return at(row.seq, 'inserted', `A second event with seq ${row.seq} was inserted.`);
  if (row.seq > expected) {
    if (row.prevHash === prev && selfOk(row))
      return at(expected, 'modified', `Event ${expected} has had its seq changed to ${row.seq}.`);
    return at(
      expected,
      'deleted',
      `Event ${expected}${row.seq - expected > 1 ? `..${row.seq - 1}` : ''} is missing.`,
    );
  }
  if (!selfOk(row)) {
    if (successorLater)
      return at(expected, 'inserted', `Event ${expected} was inserted: it does not belong to the chain.`);
    return at(
      expected,
      'modified',
      `Event ${expected} was modified: its content no longer matches its hash.`,
    );
  }
  // Self-consistent, but not linked to the previous event.
  const original = bodySeq(row);
  if (successorLater) {
    return original > expected
      ? at(expected, 'reordered', `Events were reordered: event ${original} stands at seq ${expected}.`)
      : at(
          expected,
          'inserted',
          `Event ${expected} was inserted: it does not link to event ${expected - 1}.`,
        );
  }
  if (original > expected)
    return at(
      expected,
      'deleted',
      `Event ${expected}${original - expected > 1 ? `..${original - 1}` : ''} was deleted and later events renumbered.`,
    );
  if (original < expected)
    return at(
      original,
      'inserted',
      `An event was inserted at seq ${original}: the original event ${original} now stands at ${expected}.`,
    );
  return at(
    expected - 1,
    'modified',
    `Event ${expected - 1} was modified and its hash recomputed: event ${expected} no longer links to it.`,
  );
}
