import { describe, expect, it } from 'vitest';
import { Compile } from 'typebox/compile';
import { LabelRecord, PipelineStatRecord, PredictionRecord } from '../../src/wire.js';
import {
  isProblem,
  toLabelRecord,
  toPipelineStatRecord,
  toPredictionRecord,
  type PredictionInput,
} from '../../src/records.js';

const predictionSchema = Compile(PredictionRecord);
const now = Date.parse('2024-06-01T12:00:00Z');

function toRecord(input: PredictionInput): Record<string, unknown> {
  const out = toPredictionRecord(input, 'flight-delay', '3', 'eu', now);
  if (isProblem(out)) throw new Error(out.message);
  // What reaches the wire is the JSON form.
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

describe('toPredictionRecord', () => {
  it('maps camelCase inputs to records the collector schema accepts', () => {
    const record = toRecord({
      features: { distance_km: 1200, carrier: 'XY', weather: null },
      prediction: 0.82,
      label: true,
      latencyMs: 3.5,
      requestId: 'req-1',
      segment: 'us',
      ts: '2024-06-01T11:59:00Z',
    });
    expect(record).toEqual({
      model: 'flight-delay',
      version: '3',
      ts: Date.parse('2024-06-01T11:59:00Z'),
      request_id: 'req-1',
      segment: 'us',
      features: { distance_km: 1200, carrier: 'XY', weather: null },
      prediction: 0.82,
      label: true,
      latency_ms: 3.5,
    });
    expect(predictionSchema.Check(record)).toBe(true);
  });

  it('fills in the time, the default segment, and omits what was not given', () => {
    const record = toRecord({ features: { x: 1 }, prediction: 'late' });
    expect(record).toEqual({
      model: 'flight-delay',
      version: '3',
      ts: now,
      segment: 'eu',
      features: { x: 1 },
      prediction: 'late',
    });
    expect(predictionSchema.Check(record)).toBe(true);
  });

  it('sends non-finite feature values as missing (null) and accepts a Date', () => {
    const record = toRecord({
      features: { a: NaN, b: Infinity, c: 2 },
      prediction: 1,
      ts: new Date(now - 5),
    });
    expect(record.features).toEqual({ a: null, b: null, c: 2 });
    expect(record.ts).toBe(now - 5);
  });

  it('copies the features, so a host that reuses its object does not change queued records', () => {
    const features: Record<string, number> = { x: 1 };
    const out = toPredictionRecord({ features, prediction: 1 }, 'm', '1', undefined, now);
    features.x = 2;
    expect(!isProblem(out) && out.features).toEqual({ x: 1 });
  });

  it.each([
    [{ features: { x: {} }, prediction: 1 }, 'prediction:features:type', /feature "x" must be a number/],
    [{ features: { x: true }, prediction: 1 }, 'prediction:features:type', /feature "x"/],
    [{ features: [1, 2], prediction: 1 }, 'prediction:features', /got an array/],
    [{ features: { ['k'.repeat(201)]: 1 }, prediction: 1 }, 'prediction:features:name', /1 to 200/],
    [{ features: { x: 'v'.repeat(4097) }, prediction: 1 }, 'prediction:features:length', /longer than 4096/],
    [{ features: {}, prediction: NaN }, 'prediction:prediction', /finite number/],
    [{ features: {}, prediction: { score: 1 } }, 'prediction:prediction', /got a object/],
    [{ features: {}, prediction: 1, label: null }, 'prediction:label', /label/],
    [{ features: {}, prediction: 1, latencyMs: -1 }, 'prediction:latencyMs', /latencyMs/],
    [{ features: {}, prediction: 1, requestId: '' }, 'prediction:requestId', /requestId/],
    [{ features: {}, prediction: 1, ts: 'yesterday' }, 'prediction:ts', /ts must be/],
    [{ features: {}, prediction: 1, ts: -1 }, 'prediction:ts', /between 1970 and 9999/],
    [{ features: {}, prediction: 1, ts: 1e20 }, 'prediction:ts', /between 1970 and 9999/],
    [{ features: {}, prediction: 1, ts: new Date(NaN) }, 'prediction:ts', /ts must be/],
    [null, 'prediction:input', /needs an object/],
  ])('refuses %j with a message saying what to fix', (input, kind, message) => {
    const out = toPredictionRecord(input as unknown as PredictionInput, 'm', '1', undefined, now);
    expect(isProblem(out) && out.kind).toBe(kind);
    expect(isProblem(out) && out.message).toMatch(message);
  });
});

describe('toLabelRecord and toPipelineStatRecord', () => {
  it('produce records the collector schemas accept', () => {
    const label = toLabelRecord('req-1', 0, now);
    expect(Compile(LabelRecord).Check(label)).toBe(true);
    const stat = toPipelineStatRecord(
      'nightly',
      'join',
      {
        rowsIn: 10,
        rowsOut: 9,
        bytes: 100,
        lagSeconds: 1.5,
        queueDepth: 3,
        errors: 1,
        durationMs: 20,
        status: 'ok',
        runId: 'r1',
      },
      now,
    );
    expect(stat).toEqual({
      pipeline: 'nightly',
      stage: 'join',
      ts: now,
      rows_in: 10,
      rows_out: 9,
      bytes: 100,
      lag_seconds: 1.5,
      queue_depth: 3,
      errors: 1,
      duration_ms: 20,
      status: 'ok',
      run_id: 'r1',
    });
    expect(Compile(PipelineStatRecord).Check(stat)).toBe(true);
  });

  it('refuse bad labels and stats', () => {
    expect(isProblem(toLabelRecord('', 1, now))).toBe(true);
    expect(isProblem(toLabelRecord('r', undefined, now))).toBe(true);
    const missingRows = toPipelineStatRecord('p', 's', { rowsIn: 1 } as never, now);
    expect(isProblem(missingRows) && missingRows.message).toMatch(/rowsOut must be a finite number >= 0/);
    const badStatus = toPipelineStatRecord('p', 's', { rowsIn: 1, rowsOut: 1, status: 'done' as never }, now);
    expect(isProblem(badStatus) && badStatus.kind).toBe('pipeline:status');
    expect(isProblem(toPipelineStatRecord('p', 's', { rowsIn: -1, rowsOut: 1 }, now))).toBe(true);
  });
});
