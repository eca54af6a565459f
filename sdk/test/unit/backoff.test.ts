import { describe, expect, it } from 'vitest';
import { backoffDelay, MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../src/backoff.js';

describe('backoffDelay', () => {
  it('doubles per attempt within [half, full] of the exponential, up to the cap', () => {
    expect(backoffDelay(1, 200, 30_000, () => 0)).toBe(100);
    expect(backoffDelay(1, 200, 30_000, () => 0.999999)).toBe(200);
    expect(backoffDelay(3, 200, 30_000, () => 0)).toBe(400);
    expect(backoffDelay(20, 200, 30_000, () => 0.999999)).toBe(30_000);
    expect(backoffDelay(1000, 200, 30_000, () => 0)).toBe(15_000);
  });

  it('spreads retries of the same attempt (jitter)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, 200, 30_000)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(1600);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(' 0.5 ')).toBe(500);
    const now = Date.parse('Wed, 21 Oct 2015 07:27:50 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read and caps what is absurd', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('86400')).toBe(MAX_RETRY_AFTER_MS);
  });
});
