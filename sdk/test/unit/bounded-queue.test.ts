import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BoundedQueue } from '../../src/bounded-queue.js';

describe('BoundedQueue', () => {
  it('keeps FIFO order across the ring wrap', () => {
    const q = new BoundedQueue<number>(4);
    for (const n of [1, 2, 3]) q.push(n);
    expect(q.take(2)).toEqual([1, 2]);
    for (const n of [4, 5, 6]) q.push(n);
    expect(q.take(10)).toEqual([3, 4, 5, 6]);
    expect(q.length).toBe(0);
  });

  it('drops the oldest when full and says so', () => {
    const q = new BoundedQueue<number>(3);
    const dropped = [1, 2, 3, 4, 5].map((n) => q.push(n));
    expect(dropped).toEqual([0, 0, 0, 1, 1]);
    expect(q.take(3)).toEqual([3, 4, 5]);
  });

  it('puts a failed batch back in front, dropping its oldest records when there is no room', () => {
    const q = new BoundedQueue<number>(4);
    for (const n of [1, 2, 3]) q.push(n);
    const batch = q.take(3);
    q.push(4);
    q.push(5);
    expect(q.unshift(batch)).toBe(1); // only 2 and 3 fit: 1, the oldest, goes
    expect(q.take(10)).toEqual([2, 3, 4, 5]);
  });

  it('behaves like an array model with a drop-oldest cap (property)', () => {
    type Op = { push: number } | { take: number } | { requeue: number };
    const op = fc.oneof(
      fc.integer().map((push): Op => ({ push })),
      fc.integer({ min: 0, max: 6 }).map((take): Op => ({ take })),
      fc.integer({ min: 0, max: 6 }).map((requeue): Op => ({ requeue })),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 60 }), (capacity, ops) => {
        const q = new BoundedQueue<number>(capacity);
        let model: number[] = [];
        for (const o of ops) {
          if ('push' in o) {
            const dropped = q.push(o.push);
            model.push(o.push);
            const over = Math.max(0, model.length - capacity);
            model = model.slice(over);
            expect(dropped).toBe(over);
          } else if ('take' in o) {
            expect(q.take(o.take)).toEqual(model.splice(0, o.take));
          } else {
            const batch = q.take(o.requeue);
            model.splice(0, batch.length);
            const dropped = q.unshift(batch);
            const room = capacity - model.length;
            const kept = batch.slice(Math.max(0, batch.length - room));
            model = [...kept, ...model];
            expect(dropped).toBe(batch.length - kept.length);
          }
          expect(q.length).toBe(model.length);
          expect(q.length).toBeLessThanOrEqual(capacity);
        }
        expect(q.take(capacity)).toEqual(model);
      }),
    );
  });
});
