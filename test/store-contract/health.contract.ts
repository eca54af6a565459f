import { afterEach, describe, expect, it } from 'vitest';
import type { PredictionRow } from '../../collector/ingest/rows.js';
import { summarizeModels } from '../../collector/models/summary.js';
import { parseHealthConfig } from '../../collector/pipeline/config.js';
import type { Store } from '../../collector/store/store.js';
import { closeTo, QUALITY_CASES } from '../health/fixtures.js';
import { batchOf, labelRow, pipelineStatRow, predictionRow } from '../helpers/rows.js';
import type { OpenStore } from './contract.js';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const window = { tenant: 'default', from: T0, until: T0 + HOUR, bySegment: true };

/** Numbers go to the _num column, class names to _str, as ingest stores them. */
function outcome(value: number | string): { num: number | null; str: string | null } {
  return typeof value === 'number' ? { num: value, str: null } : { num: null, str: value };
}

export function describeHealthContract(open: OpenStore): void {
  describe('health store', () => {
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });
    let seq = 0;
    /** Stores rows as one WAL entry, whatever walSeq they were built with. */
    const apply = (rows: Parameters<typeof batchOf>[3]) => {
      const s = seq++;
      const stamp = <R extends { walSeq: number }>(list: R[] | undefined) =>
        list?.map((r) => ({ ...r, walSeq: s })) ?? [];
      return store!.ingest.applyBatch(
        batchOf('w', s, s, {
          predictions: stamp(rows.predictions),
          labels: stamp(rows.labels),
          pipelineStats: stamp(rows.pipelineStats),
        }),
      );
    };

    it('computes quality equal to scikit-learn from inline and delayed labels', async () => {
      store = await open();
      const overrides: Record<string, unknown> = {};
      const predictions: PredictionRow[] = [];
      const labels = [];
      for (const [k, c] of QUALITY_CASES.entries()) {
        const model = `case-${k}`;
        overrides[model] = {
          task: c.kind === 'regression' ? 'regression' : 'classification',
          decisionThreshold: c.threshold ?? 0.5,
          positiveClass: c.positive_class ?? null,
        };
        for (const [i, label] of c.labels.entries()) {
          const p = outcome(c.predictions[i]!);
          const y = outcome(label);
          const inline = i % 3 === 0;
          predictions.push(
            predictionRow({
              walSeq: seq,
              ts: T0 + i,
              model,
              requestId: `${model}-${i}`,
              predictionNum: p.num,
              predictionStr: p.str,
              labelNum: inline ? y.num : null,
              labelStr: inline ? y.str : null,
            }),
          );
          if (!inline)
            labels.push(
              labelRow({
                walSeq: seq,
                ts: T0 + 5 * HOUR,
                requestId: `${model}-${i}`,
                labelNum: y.num,
                labelStr: y.str,
              }),
            );
        }
      }
      await apply({ predictions });
      await apply({ labels: labels.reverse() });
      const config = parseHealthConfig({ models: { overrides } });
      const summaries = await summarizeModels(store.health, config, window);
      for (const [k, c] of QUALITY_CASES.entries()) {
        const s = summaries.find((m) => m.model === `case-${k}`);
        expect(s?.labeled, c.name).toBe(c.labels.length);
        for (const [metric, expected] of Object.entries(c.expected)) {
          const actual = (s?.quality as Record<string, number | null>)[metric];
          expect(closeTo(actual, expected), `${c.name} ${metric}: ${actual} vs sklearn ${expected}`).toBe(
            true,
          );
        }
      }
    });

    it('takes the newest label per request, whatever the arrival order', async () => {
      store = await open();
      const p = (requestId: string, over: Partial<PredictionRow> = {}) =>
        predictionRow({ walSeq: seq, ts: T0 + 1000, requestId, predictionNum: 0.9, ...over });
      await apply({
        predictions: [
          p('late-fix'),
          p('inline-then-late', { labelNum: 0 }),
          p('late-then-stale-inline', { ts: T0 + 10 * 60_000, labelNum: 0 }),
          p('unlabelled'),
          p('no-request', { requestId: null, labelNum: 1 }),
          p('to-class', { predictionNum: null, predictionStr: 'a' }),
        ],
      });
      // Newest first: the older, wrong labels arrive afterwards and must not win.
      await apply({
        labels: [
          labelRow({ walSeq: seq, ts: T0 + 3 * HOUR, requestId: 'late-fix', labelNum: 1 }),
          labelRow({ walSeq: seq, ts: T0 + 2 * HOUR, requestId: 'inline-then-late', labelNum: 1 }),
          labelRow({ walSeq: seq, ts: T0 + 3 * HOUR, requestId: 'to-class', labelNum: null, labelStr: 'a' }),
        ],
      });
      await apply({
        labels: [
          labelRow({ walSeq: seq, ts: T0 + 2 * HOUR, requestId: 'late-fix', labelNum: 0 }),
          labelRow({ walSeq: seq, ts: T0 + 1 * HOUR, requestId: 'to-class', labelNum: 0 }),
          labelRow({ walSeq: seq, ts: T0 + 1 * 60_000, requestId: 'late-then-stale-inline', labelNum: 1 }),
          labelRow({ walSeq: seq, ts: T0, tenant: 'other', requestId: 'unlabelled', labelNum: 1 }),
        ],
      });
      const [row] = await store.health.modelQuality({ ...window, defaultThreshold: 0.5, thresholds: {} });
      expect(row?.labeled).toBe(5);
      // late-fix 1, inline-then-late 1, no-request 1 (all predicted 0.9 → tp); late-then-stale-inline keeps its
      // inline 0 (the label is older than the prediction) → fp. to-class is a class-name pair.
      expect(row?.numeric).toMatchObject({ n: 4, tp: 3, fp: 1, tn: 0, fn: 0, positives: 3, negatives: 1 });
      expect(row?.cells).toEqual([{ actual: 'a', predicted: 'a', count: 1 }]);
    });

    it('joins one label to every version that served the request (shadow traffic)', async () => {
      store = await open();
      await apply({
        predictions: [
          predictionRow({ walSeq: seq, version: 'stable', requestId: 'r', predictionNum: 0.8 }),
          predictionRow({ walSeq: seq, version: 'canary', requestId: 'r', predictionNum: 0.2 }),
        ],
        labels: [labelRow({ walSeq: seq, requestId: 'r', labelNum: 1, ts: T0 + HOUR })],
      });
      const rows = await store.health.modelQuality({
        ...window,
        defaultThreshold: 0.5,
        thresholds: { m: 0.1 },
      });
      expect(rows.map((r) => [r.version, r.numeric.tp, r.numeric.fn])).toEqual([
        ['canary', 1, 0],
        ['stable', 1, 0],
      ]);
    });

    it('reports volume and latency quantiles like numpy, per segment or per version', async () => {
      store = await open();
      const predictions = Array.from({ length: 100 }, (_, i) =>
        predictionRow({ walSeq: seq, ts: T0 + i, segment: i % 2 ? 'eu' : 'us', latencyMs: i + 1 }),
      );
      predictions.push(predictionRow({ walSeq: seq, ts: T0 + HOUR, latencyMs: 1e6 }));
      predictions.push(predictionRow({ walSeq: seq, ts: T0, tenant: 'other', latencyMs: 1e6 }));
      await apply({ predictions });
      const all = await store.health.modelTraffic({ ...window, bySegment: false });
      expect(all).toEqual([
        {
          model: 'm',
          version: 'v1',
          segment: null,
          predictions: 100,
          latencyP50: 50.5,
          latencyP95: 95.05,
          latencyP99: 99.01,
        },
      ]);
      const bySegment = await store.health.modelTraffic(window);
      expect(bySegment.map((r) => [r.segment, r.predictions, r.latencyP50])).toEqual([
        ['eu', 50, 51],
        ['us', 50, 50],
      ]);
      const everyTenant = await store.health.modelTraffic({ ...window, tenant: null, bySegment: false });
      expect(everyTenant[0]?.predictions).toBe(101);
    });

    it('keeps all-time totals and latency buckets for /metrics', async () => {
      store = await open();
      await apply({
        predictions: [
          predictionRow({ walSeq: seq, latencyMs: 4 }),
          predictionRow({ walSeq: seq, latencyMs: 40 }),
          predictionRow({ walSeq: seq, latencyMs: null }),
          predictionRow({ walSeq: seq, version: 'v2', latencyMs: 400, ts: T0 - 100 * HOUR }),
        ],
      });
      const totals = await store.health.modelTotals(null, [0.005, 0.05, 0.5]);
      expect(totals).toEqual([
        {
          model: 'm',
          version: 'v1',
          predictions: 3,
          latencyBuckets: [1, 2, 2],
          latencyCount: 2,
          latencySumSeconds: 0.044,
        },
        {
          model: 'm',
          version: 'v2',
          predictions: 1,
          latencyBuckets: [0, 0, 1],
          latencyCount: 1,
          latencySumSeconds: 0.4,
        },
      ]);
    });

    it('aggregates a pipeline stage window: parts, latest values, trend sums, last success', async () => {
      store = await open();
      const until = T0 + HOUR;
      const stats = [
        pipelineStatRow({
          walSeq: seq,
          ts: until - 50 * 60_000,
          rowsIn: 10,
          rowsOut: 8,
          errors: 2,
          queueDepth: 5,
          lagSeconds: 1,
        }),
        pipelineStatRow({
          walSeq: seq,
          ts: until - 10 * 60_000,
          rowsIn: 10,
          rowsOut: 10,
          queueDepth: 7,
          lagSeconds: null,
        }),
        pipelineStatRow({
          walSeq: seq,
          ts: until - 4 * 60_000,
          rowsIn: 20,
          rowsOut: 0,
          queueDepth: 9,
          status: 'failed',
        }),
        pipelineStatRow({
          walSeq: seq,
          ts: until - 2 * 60_000,
          rowsIn: 20,
          rowsOut: 30,
          queueDepth: null,
          status: 'running',
        }),
        pipelineStatRow({ walSeq: seq, ts: until - 90 * 60_000, rowsIn: 99, rowsOut: 99 }),
        pipelineStatRow({ walSeq: seq, ts: until + 60_000, rowsIn: 99, rowsOut: 99 }),
        pipelineStatRow({ walSeq: seq, ts: until, tenant: 'other', rowsIn: 99, rowsOut: 99 }),
        pipelineStatRow({
          walSeq: seq,
          ts: until - 60_000,
          pipeline: 'ml',
          stage: 'train',
          rowsIn: 1,
          rowsOut: 1,
        }),
        pipelineStatRow({ walSeq: seq, ts: until - 30 * 86_400_000, pipeline: 'old', stage: 'gone' }),
      ];
      await apply({ pipelineStats: stats });
      const query = {
        tenant: 'default',
        until,
        windowSeconds: 3600,
        recentSeconds: 300,
        trendSeconds: 900,
        forgetAfterSeconds: 7 * 86_400,
      };
      const rows = await store.health.pipelineWindows(query);
      expect(rows.map((r) => `${r.pipeline}/${r.stage}`)).toEqual(['etl/load', 'ml/train']);
      const etl = rows[0]!;
      expect(etl.window).toEqual({
        reports: 4,
        rowsIn: 60,
        rowsOut: 48,
        errors: 2,
        firstTs: until - 50 * 60_000,
        lastTs: until - 2 * 60_000,
      });
      expect(etl.baseline).toEqual({
        reports: 2,
        rowsIn: 20,
        rowsOut: 18,
        firstTs: until - 50 * 60_000,
        lastTs: until - 10 * 60_000,
      });
      expect(etl.recent).toEqual({
        reports: 2,
        rowsIn: 40,
        rowsOut: 30,
        firstTs: until - 4 * 60_000,
        lastTs: until - 2 * 60_000,
      });
      expect(etl.lastSeen).toBe(until - 2 * 60_000);
      expect(etl.lastStatus).toBe('running');
      expect(etl.lastSuccess).toBe(until - 2 * 60_000); // running with rows out is progress
      expect(etl.latestQueueDepth).toBe(9);
      expect(etl.latestLagSeconds).toBe(1);
      // Trend window: the last 15 minutes; x = seconds before `until`.
      expect(etl.queueTrend).toEqual({
        n: 2,
        sumX: -840,
        sumY: 16,
        sumXX: 360_000 + 57_600,
        sumXY: -600 * 7 - 240 * 9,
        sumYY: 130,
      });
      expect(etl.lagTrend.n).toBe(0);
      expect(etl.queueThirds).toEqual({ early: 7, late: 9 });

      expect((await store.health.pipelineWindows({ ...query, only: ['ml'] })).map((r) => r.pipeline)).toEqual(
        ['ml'],
      );
      expect(
        (await store.health.pipelineWindows({ ...query, except: ['ml'] })).map((r) => r.pipeline),
      ).toEqual(['etl']);
      expect(await store.health.pipelineWindows({ ...query, only: [] })).toEqual([]);
      const everyTenant = await store.health.pipelineWindows({ ...query, tenant: null, only: ['etl'] });
      expect(everyTenant[0]?.window.reports).toBe(5);
    });

    it('keeps all-time pipeline totals for /metrics', async () => {
      store = await open();
      await apply({
        pipelineStats: [
          pipelineStatRow({ walSeq: seq, rowsOut: 5, errors: 1 }),
          pipelineStatRow({ walSeq: seq, rowsOut: 7, ts: T0 - 1e9 }),
          pipelineStatRow({ walSeq: seq, stage: 'extract', rowsOut: 1 }),
        ],
      });
      expect(await store.health.pipelineTotals('default')).toEqual([
        { pipeline: 'etl', stage: 'extract', rowsOut: 1, errors: 0 },
        { pipeline: 'etl', stage: 'load', rowsOut: 12, errors: 1 },
      ]);
      expect(await store.health.pipelineTotals('nobody')).toEqual([]);
    });
  });
}
