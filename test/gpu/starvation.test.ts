import { describe, expect, it } from 'vitest';
import {
  isStarvedAt,
  mergeIntervals,
  starvedIntervals,
  type PipelineStatPoint,
} from '../../collector/pipeline/starvation.js';

const point = (ts: number, over: Partial<PipelineStatPoint> = {}): PipelineStatPoint => ({
  ts,
  stage: 'load',
  queueDepth: null,
  lagSeconds: null,
  ...over,
});

describe('starvedIntervals', () => {
  it('marks an empty queue from its report to the next one', () => {
    const points = [
      point(0, { queueDepth: 5 }),
      point(10_000, { queueDepth: 0 }),
      point(20_000, { queueDepth: 0 }),
      point(30_000, { queueDepth: 3 }),
    ];
    expect(starvedIntervals(points)).toEqual([{ start: 10_000, end: 30_000 }]);
  });

  it('lets a verdict last at most one window when reports stop', () => {
    expect(starvedIntervals([point(0, { queueDepth: 0 })], 60_000)).toEqual([{ start: 0, end: 60_000 }]);
  });

  it('flags lag that rises across the window, not a flat or dipping lag', () => {
    const rising = [2, 4, 7, 7, 9].map((lag, i) => point(i * 10_000, { lagSeconds: lag }));
    // From the second report on every trailing window rose without a fall; the last verdict lasts one window.
    expect(starvedIntervals(rising, 60_000)).toEqual([{ start: 10_000, end: 100_000 }]);
    const flat = [3, 3, 3].map((lag, i) => point(i * 10_000, { lagSeconds: lag }));
    expect(starvedIntervals(flat, 60_000)).toEqual([]);
    const dip = [5, 2, 4].map((lag, i) => point(i * 10_000, { lagSeconds: lag }));
    // At 20 s the window holds 5 → 2 → 4: a fall, so not growing; at 10 s it fell.
    expect(starvedIntervals(dip, 60_000)).toEqual([]);
  });

  it('forgets lag reports older than the window', () => {
    const points = [
      point(0, { lagSeconds: 9 }),
      point(100_000, { lagSeconds: 1 }),
      point(110_000, { lagSeconds: 2 }),
    ];
    expect(starvedIntervals(points, 60_000)).toEqual([{ start: 110_000, end: 170_000 }]);
  });

  it('judges stages separately and merges their intervals', () => {
    const points = [
      point(0, { stage: 'a', queueDepth: 0 }),
      point(5_000, { stage: 'b', queueDepth: 0 }),
      point(10_000, { stage: 'a', queueDepth: 1 }),
      point(20_000, { stage: 'b', queueDepth: 1 }),
    ];
    expect(starvedIntervals(points)).toEqual([{ start: 0, end: 20_000 }]);
  });

  it('answers for one instant', () => {
    const points = [point(0, { queueDepth: 0 }), point(10_000, { queueDepth: 4 })];
    expect(isStarvedAt(points, 5_000)).toBe(true);
    expect(isStarvedAt(points, 10_000)).toBe(false);
  });

  it('merges overlapping and touching intervals', () => {
    expect(
      mergeIntervals([
        { start: 5, end: 9 },
        { start: 0, end: 5 },
        { start: 20, end: 30 },
        { start: 25, end: 26 },
      ]),
    ).toEqual([
      { start: 0, end: 9 },
      { start: 20, end: 30 },
    ]);
  });
});
