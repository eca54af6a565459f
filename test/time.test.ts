/** Instants as the HTTP API and CLIs take them: epoch ms, ISO 8601, or a duration ago. */
import { describe, expect, it } from 'vitest';
import { parseInstant } from '../collector/models/time.js';

const NOW = Date.UTC(2026, 0, 2);

describe('parseInstant', () => {
  it('reads epoch ms, ISO 8601 and durations ago (units combinable)', () => {
    expect(parseInstant('1767225600000', NOW, '/from')).toBe(1767225600000);
    expect(parseInstant('2026-01-01T00:00:00Z', NOW, '/from')).toBe(Date.UTC(2026, 0, 1));
    expect(parseInstant('24h', NOW, '/from')).toBe(NOW - 86_400_000);
    expect(parseInstant(' 1h30m ', NOW, '/from')).toBe(NOW - 5_400_000);
  });

  it('refuses a bare decimal and anything else with QUERY_INVALID at the path', () => {
    for (const text of ['1.5', 'soon', '5x', '']) {
      expect(() => parseInstant(text, NOW, '/until'), text).toThrow(
        expect.objectContaining({ code: 'QUERY_INVALID', path: '/until' }),
      );
    }
  });
});
