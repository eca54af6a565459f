/**
 * The gpu queries of the embedded store. The idle query does the heavy lifting in one statement:
 * lead() finds each sample's gap to its successor within its series, samples are counted per
 * (series, attributes, idle, gap), the median gap (from those counts) gives the series' nominal
 * interval, and coverage, idle time and the overlap with starved pipeline spans are summed per
 * series and attribute set. Plain SQL (window function, GROUP BY, LIKE, a range join) so the
 * ClickHouse adapter can follow it closely.
 *
 * Rollups (gpu_idle_rollups, one bucket = one UTC hour, see GPU_IDLE_BUCKET_MS) store those
 * per-(series, attributes, idle, gap) counts for the samples whose successor lies in the same
 * bucket, and each series' first and last sample of the bucket. The idle query reads the rows of
 * fresh buckets lying inside the window (store/gpu-rollup-plan.ts) instead of their samples, and
 * raw samples everywhere else; the last samples of rolled-up buckets, the buckets' first
 * timestamps and those raw samples go through lead() together, so every gap that crosses a
 * bucket boundary is found at query time, exactly as the raw computation finds it. Hence a
 * written sample can only change rollups of its own bucket (not its predecessor's: that gap is
 * never stored), and ingest marks just that bucket stale (markGpuIdleStale); stale buckets are
 * read raw until the rollup job (gpu/rollup.ts) rolls them up again.
 *
 * Exactness: every sample the raw computation reads is seen by the rollup path with the same
 * series, attribute set, idleness and gap (a sample whose successor lies past the read range keeps
 * a NULL gap, as lead() within the read range leaves it), and a timestamp wherever the raw path
 * keeps one, so the gap counts, the median and the coverage sums are the same integers. The one
 * exception is samples of one series sharing a millisecond: lead() orders such ties arbitrarily,
 * so the raw result itself is not unique.
 */
import { gpuIdleAggregateFromRow, type GpuIdleSqlRow } from '../gpu-rows.js';
import {
  bucketRuns,
  idleInteriorEnd,
  idleReadRange,
  idleRollupPlan,
  readRangePlan,
  type BucketPipeline,
  type IdleRollupPlan,
  type TimeRange,
} from '../gpu-rollup-plan.js';
import {
  GPU_IDLE_BUCKET_MS,
  gpuIdleBucketOf,
  staleBuckets,
  type GpuIdleQuery,
  type GpuIdleRollupResult,
  type GpuStore,
  type PipelineLikeRule,
  type PipelinePoint,
} from '../gpu-store.js';
import type { DuckDb, SqlParam } from './connection.js';
import type { Migration } from './migrations.js';

const H = GPU_IDLE_BUCKET_MS;

/**
 * gpu_idle_rollups rows, by `kind`: 0 = the samples of a series and attribute set in a bucket
 * whose successor lies in the same bucket, counted per (idle, gap); 1 = the series' last sample
 * of the bucket (idle, last_ts) with the bucket's first timestamp of the series (first_ts); 2 = an
 * attribute set seen only on samples without activity (n = 0; pipeline lookups read it).
 * gpu_idle_rollup_buckets lists the buckets rolled up per threshold; gpu_idle_stale the buckets
 * written to since (every bucket ingest touches, until the rollup job rolls it).
 */
export const GPU_MIGRATIONS: readonly Migration[] = [
  {
    id: 'gpu-001',
    sql: `
      CREATE TABLE gpu_idle_rollups (tenant VARCHAR NOT NULL, threshold DOUBLE NOT NULL, bucket BIGINT NOT NULL,
        host VARCHAR NOT NULL, uuid VARCHAR NOT NULL, gpu VARCHAR NOT NULL, mig_instance VARCHAR NOT NULL,
        model_name VARCHAR NOT NULL, mig_profile VARCHAR NOT NULL, namespace VARCHAR NOT NULL, pod VARCHAR NOT NULL,
        container VARCHAR NOT NULL, hpc_job VARCHAR NOT NULL, pipeline VARCHAR NOT NULL, kind TINYINT NOT NULL,
        idle BOOLEAN NOT NULL, gap BIGINT NOT NULL, n BIGINT NOT NULL, first_ts BIGINT NOT NULL, last_ts BIGINT NOT NULL);
      CREATE TABLE gpu_idle_rollup_buckets (tenant VARCHAR NOT NULL, threshold DOUBLE NOT NULL, bucket BIGINT NOT NULL,
        samples BIGINT NOT NULL, rolled_at BIGINT NOT NULL, PRIMARY KEY (tenant, threshold, bucket));
      CREATE TABLE gpu_idle_stale (tenant VARCHAR NOT NULL, bucket BIGINT NOT NULL, PRIMARY KEY (tenant, bucket));
    `,
  },
];

const SERIES = 'host, uuid, gpu, mig_instance';
const ATTRIBUTES = 'model_name, mig_profile, namespace, pod, container, hpc_job, pipeline';
const NAME_COLUMNS = `${SERIES}, model_name, mig_profile, namespace, pod, container, hpc_job, mapped`;
const HAS_ACTIVITY = '(gr_engine_active IS NOT NULL OR gpu_util IS NOT NULL)';
const ACTIVITY = 'coalesce(gr_engine_active, gpu_util / 100.0)';
/** Bucket start of `ts` (floor division, also below 0). */
const BUCKET_OF_TS = `ts - ((ts % ${H}) + ${H}) % ${H}`;

/** Writes a parameter's placeholder into SQL text. */
type Bind = (value: SqlParam) => string;

/** `?` placeholders: the text must be assembled strictly left to right. */
function positional(params: SqlParam[]): Bind {
  return (value) => {
    params.push(value);
    return '?';
  };
}

/** `$n` placeholders: the text may be assembled in any order. */
function numbered(params: SqlParam[]): Bind {
  return (value) => `$${params.push(value)}`;
}

/** `CASE` mapping a row to its pipeline: the label, else the first matching rule (allocated rows only). */
function pipelineExpression(rules: readonly PipelineLikeRule[], bind: Bind): string {
  const whens = rules.map(
    (rule) =>
      `WHEN namespace LIKE ${bind(rule.namespaceLike)} ESCAPE '\\' AND pod LIKE ${bind(rule.podLike)} ESCAPE '\\' AND hpc_job LIKE ${bind(rule.jobLike)} ESCAPE '\\' THEN ${bind(rule.pipeline)}`,
  );
  return `CASE WHEN pipeline <> '' THEN pipeline WHEN pod = '' AND hpc_job = '' THEN '' ${whens.join(' ')} ELSE '' END`;
}

/**
 * The window's activity samples with the mapped pipeline, read 2 × maxInterval either side so
 * coverage crossing an edge counts. Inlined (not a shared CTE) wherever used: a CTE referenced
 * twice is materialised with all its text columns, which cost more than scanning twice.
 */
function windowSamples(query: GpuIdleQuery, bind: Bind): string {
  const pipeline = pipelineExpression(query.pipelineRules, bind);
  const [lo, hi] = idleReadRange(query);
  return `(SELECT ${SERIES}, model_name, mig_profile, namespace, pod, container, hpc_job, ${pipeline} AS mapped, ts,
      ${ACTIVITY} AS activity
    FROM gpu_samples
    WHERE tenant = ${bind(query.tenant)} AND ts >= ${bind(lo)} AND ts < ${bind(hi)} AND ${HAS_ACTIVITY})`;
}

/**
 * The activity samples of `ranges`, one SELECT per range: a plain range on ts lets DuckDB skip
 * row groups by their min/max, an OR of ranges does not (a full scan: 13 → 72 ms for two hours
 * of the 20M samples of gpu-idle-20m).
 */
function rangeSamples(query: GpuIdleQuery, ranges: readonly TimeRange[], bind: Bind): string {
  if (ranges.length === 0) throw new Error('rangeSamples: no range');
  const pipeline = pipelineExpression(query.pipelineRules, bind);
  const tenant = bind(query.tenant);
  const selects = ranges.map(
    ([
      lo,
      hi,
    ]) => `SELECT ${SERIES}, model_name, mig_profile, namespace, pod, container, hpc_job, ${pipeline} AS mapped, ts,
        ${ACTIVITY} AS activity
      FROM gpu_samples WHERE tenant = ${tenant} AND ts >= ${bind(lo)} AND ts < ${bind(hi)} AND ${HAS_ACTIVITY}`,
  );
  return `(${selects.join('\nUNION ALL\n')})`;
}

/** 64-bit ids of a series and of an attribute set, so the sort behind lead() moves 32-byte rows. */
const SID = `hash(${SERIES})`;
const AID = 'hash(model_name, mig_profile, namespace, pod, container, hpc_job, mapped)';
/** The id of a stored attribute set (its own `pipeline` label, before any rule maps it). */
const RAW_AID = `hash(${ATTRIBUTES})`;
const ROLLUP_FIRST_NAMES = `${SERIES}, ${ATTRIBUTES}`
  .split(', ')
  .map((c) => `first(${c}) AS ${c}`)
  .join(', ');
const FIRST_NAMES = `${SERIES.split(', ')
  .concat(['model_name', 'mig_profile', 'namespace', 'pod', 'container', 'hpc_job'])
  .map((c) => `first(${c}) AS ${c}`)
  .join(', ')}, first(mapped) AS pipeline`;

/** An integer this module computed (a bucket start), written into SQL text. */
function sqlInteger(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  return String(value);
}

/**
 * Marks the buckets of `rows` stale, inside the ingest transaction that writes them: their
 * rollups (if any) no longer describe their samples.
 */
export async function markGpuIdleStale(
  db: DuckDb,
  rows: readonly { readonly tenant: string; readonly ts: number }[],
): Promise<void> {
  const values = staleBuckets(rows);
  if (values.length === 0) return;
  await db.runNow(
    `INSERT INTO gpu_idle_stale VALUES ${values.map(() => '(?, CAST(? AS BIGINT))').join(', ')} ON CONFLICT DO NOTHING`,
    values.flat(),
  );
}

/** The buckets in [lo, hi] with a fresh rollup (for `threshold`, or for any when undefined). */
async function freshBuckets(
  db: DuckDb,
  tenant: string,
  threshold: number | undefined,
  lo: number,
  hi: number,
): Promise<number[]> {
  const rows = await db.allNow<{ bucket: number }>(
    `SELECT DISTINCT bucket FROM gpu_idle_rollup_buckets b
     WHERE tenant = ? AND bucket >= ? AND bucket <= ? ${threshold === undefined ? '' : 'AND threshold = ?'}
       AND NOT EXISTS (SELECT 1 FROM gpu_idle_stale s WHERE s.tenant = b.tenant AND s.bucket = b.bucket)
     ORDER BY bucket`,
    threshold === undefined ? [tenant, lo, hi] : [tenant, lo, hi, threshold],
  );
  return rows.map((r) => Number(r.bucket));
}

/** The raw idle statement: every sample of the read range through lead(). */
function rawIdleSql(query: GpuIdleQuery, bind: Bind): string {
  // `bind` is positional here: every placeholder is written inside the one template below,
  // strictly left to right.
  const starved = query.starved.length > 0;
  // Starved spans are attached to attribute sets first (few rows), then range-joined with idle coverage.
  const spanCtes = (): string => {
    if (!starved) return '';
    return `${spansValues(query, bind)},
        aid_spans AS (
          SELECT DISTINCT n.aid, s.s_start, s.s_end FROM names n JOIN spans s ON s.s_pipeline = n.pipeline
          WHERE n.pod <> '' OR n.hpc_job <> ''),`;
  };
  // A sample at from <= ts <= interiorEnd is never clipped by the window (its coverage ends by
  // ts + max(2 × maxInterval, defaultInterval)), so only its gap to the next sample matters.
  const interiorEnd = idleInteriorEnd(query);
  // Samples sharing series, attributes, idleness and gap to the next sample have equal coverage,
  // so after lead() they collapse into a few (gap, count) rows per series: no join or CTE holds the
  // 20M samples after the sort (bench/gpu.bench.ts, gpu-idle-20m: 4.4 s → 3.4 s on the same data at
  // load 1.5). Samples the window clips, and idle samples that starved spans may overlap, keep
  // their own timestamp (exact_ts). keyed is materialised once, four fixed-width columns per
  // sample, because lead()'s sort is now nearly all of the query's time.
  return `
    WITH names AS MATERIALIZED (SELECT ${SID} AS sid, ${AID} AS aid, ${FIRST_NAMES} FROM ${windowSamples(query, bind)} GROUP BY sid, aid),
    keyed AS MATERIALIZED (
      SELECT ${SID} AS sid, ${AID} AS aid, ts, activity < ${bind(query.threshold)} AS idle
      FROM ${windowSamples(query, bind)}),
    ${spanCtes()}
    gaps AS (
      SELECT sid, aid, ts, idle,
        lead(ts) OVER (PARTITION BY sid ORDER BY ts) - ts AS gap
      FROM keyed),
    hist AS (
      SELECT sid, aid, idle, gap,
        CASE WHEN ts < ${bind(query.from)} OR ts > ${bind(interiorEnd)}
          ${starved ? 'OR (idle AND aid IN (SELECT aid FROM aid_spans))' : ''} THEN ts END AS exact_ts,
        false AS whole_starved, count(*) AS n
      FROM gaps GROUP BY ALL),
    ${coverageSql(query, starved, bind)}`;
}

/** The starved spans as a VALUES list: spans(s_pipeline, s_start, s_end). */
function spansValues(query: GpuIdleQuery, bind: Bind): string {
  const rows = query.starved.map(
    (span) =>
      `(${bind(span.pipeline)}, CAST(${bind(span.start)} AS BIGINT), CAST(${bind(span.end)} AS BIGINT))`,
  );
  return `spans(s_pipeline, s_start, s_end) AS (VALUES ${rows.join(', ')})`;
}

/**
 * The shared tail of both idle statements, from `hist` (sid, aid, idle, gap, exact_ts,
 * whole_starved, n) and `names` to one row per series and attribute set.
 */
function coverageSql(query: GpuIdleQuery, starved: boolean, bind: Bind): string {
  return `
    -- The median of the positive gaps, as median() computes it: the mean of the values at
    -- positions (N - 1) // 2 and N // 2 of the sorted gaps; a gap covers positions [upto - n, upto).
    gap_counts AS (SELECT sid, gap, sum(n) AS n FROM hist WHERE gap > 0 GROUP BY sid, gap),
    gap_ranks AS (
      SELECT sid, gap, sum(n) OVER (PARTITION BY sid ORDER BY gap ROWS UNBOUNDED PRECEDING) AS upto,
        sum(n) OVER (PARTITION BY sid) AS total
      FROM gap_counts),
    nominal AS (
      SELECT sid, CAST(least((min(gap) FILTER (WHERE upto > (total - 1) // 2)
          + min(gap) FILTER (WHERE upto > total // 2)) / 2, ${bind(query.maxIntervalMs)}) AS BIGINT) AS nominal_ms
      FROM gap_ranks GROUP BY sid),
    with_nominal AS (
      SELECT h.*, coalesce(nm.nominal_ms, ${bind(query.defaultIntervalMs)}) AS nominal_ms FROM hist h LEFT JOIN nominal nm USING (sid)),
    covered AS (
      SELECT sid, aid, idle, n, whole_starved,
        CASE WHEN exact_ts IS NOT NULL THEN greatest(exact_ts, ${bind(query.from)}) END AS start_ms,
        CASE WHEN exact_ts IS NOT NULL THEN least(CASE WHEN gap IS NULL THEN exact_ts + nominal_ms
          ELSE least(exact_ts + gap, exact_ts + 2 * nominal_ms) END, ${bind(query.until)}) END AS stop_ms,
        CASE WHEN exact_ts IS NOT NULL
          THEN least(CASE WHEN gap IS NULL THEN exact_ts + nominal_ms
            ELSE least(exact_ts + gap, exact_ts + 2 * nominal_ms) END, ${bind(query.until)}) - greatest(exact_ts, ${bind(query.from)})
          WHEN gap IS NULL THEN nominal_ms ELSE least(gap, 2 * nominal_ms) END AS covered_ms
      FROM with_nominal),
    totals AS (
      SELECT sid, aid, sum(n * covered_ms) AS observed_ms,
        sum(CASE WHEN idle THEN n * covered_ms ELSE 0 END) AS idle_ms,
        sum(CASE WHEN whole_starved THEN n * covered_ms ELSE 0 END) AS whole_starved_ms
      FROM covered WHERE covered_ms > 0 GROUP BY sid, aid),
    ${
      starved
        ? `starved_idle AS (
      SELECT c.sid, c.aid, sum(c.n * (least(c.stop_ms, a.s_end) - greatest(c.start_ms, a.s_start))) AS starved_ms
      FROM covered c JOIN aid_spans a ON a.aid = c.aid AND a.s_start < c.stop_ms AND a.s_end > c.start_ms
      WHERE c.idle GROUP BY c.sid, c.aid),`
        : ''
    }
    result AS (
      SELECT n.*, t.observed_ms, t.idle_ms,
        t.whole_starved_ms ${starved ? '+ coalesce(si.starved_ms, 0)' : ''} AS starved_ms
      FROM totals t JOIN names n USING (sid, aid)
      ${starved ? 'LEFT JOIN starved_idle si USING (sid, aid)' : ''})
    SELECT ${SERIES}, ${ATTRIBUTES}, observed_ms, idle_ms, starved_ms FROM result
    ORDER BY host, gpu, uuid, mig_instance, namespace, pod, container, hpc_job, pipeline`;
}

/**
 * The rollup-backed idle statement. `rolled` holds the rollup rows of the plan's buckets with
 * their ids and mapped pipeline (a few rows per series and hour); series mapped to a pipeline
 * whose starved span starts or ends inside a bucket (`partial`) read that bucket raw instead.
 * lead() runs over the raw samples, the last sample of each used bucket and each used bucket's
 * first timestamp (kind 0, sorted before a sample at the same time, and dropped after lead()):
 * so a raw sample or a bucket's last sample finds its successor, whether that is raw or the
 * first sample of a rolled-up bucket. `bind` must be numbered: parts are assembled out of order.
 */
function rollupIdleSql(query: GpuIdleQuery, plan: IdleRollupPlan, bind: Bind): string {
  const starved = query.starved.length > 0;
  const pairs = (name: string, list: readonly BucketPipeline[]) =>
    list.length === 0
      ? ''
      : `${name}(bucket, pipeline) AS (VALUES ${list
          .map((x) => `(CAST(${sqlInteger(x.bucket)} AS BIGINT), ${bind(x.pipeline)})`)
          .join(', ')}),`;
  const threshold = bind(query.threshold);
  const partialBuckets = [...new Set(plan.partial.map((p) => p.bucket))].sort((a, b) => a - b);
  const partialSamples =
    partialBuckets.length === 0
      ? ''
      : `UNION ALL
      SELECT sid, aid, ts, idle, ${NAME_COLUMNS} FROM (
        SELECT ${SID} AS sid, ${AID} AS aid, ts, activity < ${threshold} AS idle, ${BUCKET_OF_TS} AS bucket, ${NAME_COLUMNS}
        FROM ${rangeSamples(
          query,
          partialBuckets.map((b): TimeRange => [b, b + H]),
          bind,
        )}) s
      WHERE EXISTS (SELECT 1 FROM partial p WHERE p.sid = s.sid AND p.bucket = s.bucket)`;
  return `
    WITH ${starved ? `${spansValues(query, bind)},` : ''}
    ${pairs('partial_bp', plan.partial)}
    ${pairs('whole_bp', plan.whole)}
    rolled AS MATERIALIZED (
      SELECT ${SID} AS sid, ${AID} AS aid, bucket, kind, idle, gap, n, first_ts, last_ts,
        pod <> '' OR hpc_job <> '' AS allocated, ${NAME_COLUMNS}
      FROM (SELECT *, ${pipelineExpression(query.pipelineRules, bind)} AS mapped FROM gpu_idle_rollups
        WHERE tenant = ${bind(query.tenant)} AND threshold = ${threshold} AND kind < 2
          AND bucket IN (${plan.buckets.map(sqlInteger).join(', ')}))),
    partial AS (${
      plan.partial.length === 0
        ? 'SELECT sid, bucket FROM rolled WHERE false'
        : `SELECT DISTINCT r.sid, r.bucket FROM rolled r
      JOIN partial_bp p ON p.bucket = r.bucket AND p.pipeline = r.mapped WHERE r.allocated`
    }),
    used AS (
      SELECT * FROM rolled r
      WHERE NOT EXISTS (SELECT 1 FROM partial p WHERE p.sid = r.sid AND p.bucket = r.bucket)),
    raw AS MATERIALIZED (
      SELECT ${SID} AS sid, ${AID} AS aid, ts, activity < ${threshold} AS idle, ${NAME_COLUMNS}
      FROM ${rangeSamples(query, plan.rawRanges, bind)}
      ${partialSamples}),
    names AS MATERIALIZED (
      SELECT sid, aid, ${FIRST_NAMES}
      FROM (SELECT sid, aid, ${NAME_COLUMNS} FROM raw UNION ALL SELECT sid, aid, ${NAME_COLUMNS} FROM used)
      GROUP BY sid, aid),
    ${
      starved
        ? `aid_spans AS (
      SELECT DISTINCT n.aid, s.s_start, s.s_end FROM names n JOIN spans s ON s.s_pipeline = n.pipeline
      WHERE n.pod <> '' OR n.hpc_job <> ''),`
        : ''
    }
    points AS (
      SELECT sid, aid, ts, idle, 1 AS kind FROM raw
      UNION ALL SELECT sid, aid, last_ts, idle, 1 FROM used WHERE kind = 1
      UNION ALL SELECT sid, CAST(0 AS UBIGINT), first_ts, false, 0 FROM used WHERE kind = 1),
    gaps AS (
      SELECT sid, aid, ts, idle, kind, lead(ts) OVER (PARTITION BY sid ORDER BY ts, kind) - ts AS gap
      FROM points),
    hist AS (
      SELECT sid, aid, idle, gap,
        CASE WHEN ts < ${bind(query.from)} OR ts > ${bind(idleInteriorEnd(query))}
          ${starved ? 'OR (idle AND aid IN (SELECT aid FROM aid_spans))' : ''} THEN ts END AS exact_ts,
        false AS whole_starved, count(*) AS n
      FROM gaps WHERE kind = 1 GROUP BY ALL
      UNION ALL
      SELECT u.sid, u.aid, u.idle, u.gap, NULL AS exact_ts,
        ${plan.whole.length > 0 ? 'u.idle AND u.allocated AND w.bucket IS NOT NULL' : 'false'} AS whole_starved,
        CAST(sum(u.n) AS BIGINT) AS n
      FROM used u ${plan.whole.length > 0 ? 'LEFT JOIN whole_bp w ON w.bucket = u.bucket AND w.pipeline = u.mapped' : ''}
      WHERE u.kind = 0 GROUP BY ALL),
    ${coverageSql(query, starved, bind)}`;
}

/**
 * The rollup rows of buckets [$3, $4) of tenant $1 for threshold $2, from their samples.
 * lead() within (series, bucket): the bucket's last sample gets no gap (kind 1); min(ts) over
 * the same ordered window is the bucket's first timestamp of the series. As in the idle query,
 * the sort moves 64-bit ids and the names are attached afterwards by id (a day of gpu-idle-20m,
 * 2.9M samples: 1.5 s sorting by the text columns, 0.6 s this way).
 */
const ROLL_UP_SQL = `
  INSERT INTO gpu_idle_rollups
  WITH s AS MATERIALIZED (
    SELECT ${SID} AS sid, ${RAW_AID} AS aid, ts, ${BUCKET_OF_TS} AS bucket, ${ACTIVITY} < $2 AS idle
    FROM gpu_samples WHERE tenant = $1 AND ts >= $3 AND ts < $4 AND ${HAS_ACTIVITY}),
  names AS (
    SELECT sid, aid, bucket, ${ROLLUP_FIRST_NAMES}
    FROM (SELECT ${SID} AS sid, ${RAW_AID} AS aid, ${BUCKET_OF_TS} AS bucket, ${SERIES}, ${ATTRIBUTES}
      FROM gpu_samples WHERE tenant = $1 AND ts >= $3 AND ts < $4 AND ${HAS_ACTIVITY})
    GROUP BY sid, aid, bucket),
  g AS (
    SELECT *, lead(ts) OVER w - ts AS next_gap, min(ts) OVER w AS first_in_bucket
    FROM s WINDOW w AS (PARTITION BY sid, bucket ORDER BY ts)),
  h AS (
    SELECT sid, aid, bucket, CASE WHEN next_gap IS NULL THEN 1 ELSE 0 END AS kind, idle,
      coalesce(next_gap, 0) AS gap, count(*) AS n,
      CASE WHEN next_gap IS NULL THEN first_in_bucket ELSE 0 END AS first_ts,
      CASE WHEN next_gap IS NULL THEN ts ELSE 0 END AS last_ts
    FROM g GROUP BY ALL)
  SELECT $1, $2, h.bucket, ${SERIES}, ${ATTRIBUTES}, kind, idle, gap, n, first_ts, last_ts
  FROM h JOIN names USING (sid, aid, bucket)
  UNION ALL
  SELECT DISTINCT $1, $2, ${BUCKET_OF_TS}, ${SERIES}, ${ATTRIBUTES}, 2, false, 0, 0, 0, 0
  FROM gpu_samples WHERE tenant = $1 AND ts >= $3 AND ts < $4 AND NOT ${HAS_ACTIVITY}`;

/**
 * Hours one rollup transaction holds the connection for: 6 hours of gpu-idle-20m (720k samples)
 * took 0.19–0.26 s at load 4, so ingest waits about that long at most behind a backfill.
 */
const BUCKETS_PER_TRANSACTION = 6;

/** Buckets to roll up: stale closed ones, and closed ones past the newest rolled-up bucket. */
async function pendingBuckets(
  db: DuckDb,
  threshold: number,
  closedBefore: number,
): Promise<{ tenant: string; bucket: number }[]> {
  // The frontier scan finds buckets written without passing through ingest (imports, and data
  // stored before this table existed); ingest marks everything it writes stale.
  const closedEnd = gpuIdleBucketOf(closedBefore);
  const rows = await db.all<{ tenant: string; bucket: number }>(
    `WITH frontier AS (
       SELECT coalesce(max(bucket) + ${H}, -9223372036854775807) AS f FROM gpu_idle_rollup_buckets WHERE threshold = ?)
     SELECT tenant, bucket FROM gpu_idle_stale WHERE bucket < ?
     UNION
     SELECT DISTINCT tenant, ${BUCKET_OF_TS} AS bucket FROM gpu_samples WHERE ts >= (SELECT f FROM frontier) AND ts < ?
     ORDER BY bucket, tenant`,
    [threshold, closedEnd, closedEnd],
  );
  return rows.map((r) => ({ tenant: String(r.tenant), bucket: Number(r.bucket) }));
}

export function createDuckDbGpuStore(db: DuckDb): GpuStore {
  return {
    async idleAggregates(query) {
      // One exclusive turn on the connection: the fresh buckets and the statement see one state.
      const rows = await db.exclusive(async () => {
        const params: SqlParam[] = [];
        if (query.rollups !== false) {
          const fresh = await freshBuckets(db, query.tenant, query.threshold, query.from, query.until - H);
          const plan = idleRollupPlan(query, fresh);
          if (plan.buckets.length > 0)
            return db.allNow<GpuIdleSqlRow>(rollupIdleSql(query, plan, numbered(params)), params);
        }
        return db.allNow<GpuIdleSqlRow>(rawIdleSql(query, positional(params)), params);
      });
      return rows.map(gpuIdleAggregateFromRow);
    },

    async mappedPipelines(query) {
      const rows = await db.exclusive(async () => {
        const params: SqlParam[] = [];
        const bind = numbered(params);
        const [lo, hi] = idleReadRange(query);
        const plan = readRangePlan(query, await freshBuckets(db, query.tenant, undefined, lo, hi));
        const pipeline = pipelineExpression(query.pipelineRules, bind);
        const tenant = bind(query.tenant);
        const parts = plan.rawRanges.map(
          ([from, until]) =>
            `SELECT DISTINCT ${pipeline} AS mapped FROM gpu_samples WHERE tenant = ${tenant} AND ts >= ${bind(from)} AND ts < ${bind(until)}`,
        );
        // Rollup rows carry every attribute set of their bucket's samples (kind 2: those without activity).
        if (plan.buckets.length > 0)
          parts.push(`SELECT DISTINCT ${pipeline} AS mapped FROM gpu_idle_rollups
            WHERE tenant = ${tenant} AND bucket IN (${plan.buckets.map(sqlInteger).join(', ')})`);
        return db.allNow<{ pipeline: string }>(
          `SELECT DISTINCT mapped AS pipeline FROM (${parts.join('\nUNION ALL\n')})
           WHERE mapped <> '' ORDER BY pipeline`,
          params,
        );
      });
      return rows.map((r) => r.pipeline);
    },

    async rollUpIdle(request) {
      const pending = await pendingBuckets(db, request.threshold, request.closedBefore);
      const batch = pending.slice(0, Math.max(0, request.maxBuckets));
      let samples = 0;
      // Up to BUCKETS_PER_TRANSACTION consecutive buckets of one tenant roll up in one statement
      // and one transaction; ingest and queries get the connection in between.
      for (const { tenant, lo, hi } of bucketRuns(batch, BUCKETS_PER_TRANSACTION)) {
        samples += await db.transaction(async () => {
          const range = [tenant, request.threshold, lo, hi];
          // This threshold's old rows go, and so do other thresholds' rows of stale buckets: the
          // stale marks are cleared below.
          for (const table of ['gpu_idle_rollups', 'gpu_idle_rollup_buckets'])
            await db.runNow(
              `DELETE FROM ${table} WHERE tenant = $1 AND bucket >= $3 AND bucket < $4
                 AND (threshold = $2 OR bucket IN (SELECT bucket FROM gpu_idle_stale WHERE tenant = $1))`,
              range,
            );
          await db.runNow(ROLL_UP_SQL, range);
          await db.runNow(
            `INSERT INTO gpu_idle_rollup_buckets
             SELECT $1, $2, b.bucket, coalesce(sum(r.n) FILTER (WHERE r.kind < 2), 0), $5
             FROM range(CAST($3 AS BIGINT), CAST($4 AS BIGINT), ${H}) b(bucket)
             LEFT JOIN gpu_idle_rollups r ON r.tenant = $1 AND r.threshold = $2 AND r.bucket = b.bucket
             GROUP BY b.bucket`,
            [...range, Date.now()],
          );
          await db.runNow('DELETE FROM gpu_idle_stale WHERE tenant = ? AND bucket >= ? AND bucket < ?', [
            tenant,
            lo,
            hi,
          ]);
          const [counted] = await db.allNow<{ samples: number }>(
            `SELECT coalesce(sum(samples), 0) AS samples FROM gpu_idle_rollup_buckets
             WHERE tenant = $1 AND threshold = $2 AND bucket >= $3 AND bucket < $4`,
            range,
          );
          return Number(counted?.samples ?? 0);
        });
      }
      const result: GpuIdleRollupResult = {
        buckets: batch.length,
        samples,
        pending: pending.length - batch.length,
      };
      return result;
    },

    async pipelinePoints(tenant, pipelines, from, until) {
      if (pipelines.length === 0) return [];
      const rows = await db.all<{
        pipeline: string;
        stage: string;
        ts: number;
        queue_depth: number | null;
        lag_seconds: number | null;
      }>(
        `SELECT pipeline, stage, ts, queue_depth, lag_seconds FROM pipeline_stats
         WHERE tenant = ? AND pipeline IN (${pipelines.map(() => '?').join(', ')}) AND ts >= ? AND ts < ?
           AND (queue_depth IS NOT NULL OR lag_seconds IS NOT NULL)
         ORDER BY ts`,
        [tenant, ...pipelines, from, until],
      );
      return rows.map((r): PipelinePoint => ({
        pipeline: r.pipeline,
        stage: r.stage,
        ts: r.ts,
        queueDepth: r.queue_depth,
        lagSeconds: r.lag_seconds,
      }));
    },
  };
}
