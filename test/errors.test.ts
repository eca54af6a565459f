import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../collector/errors.js';

describe('error catalogue', () => {
  const codes = Object.keys(ERROR_CATALOGUE);

  it('has unique, stable-looking codes with HTTP statuses', () => {
    expect(new Set(codes).size).toBe(codes.length);
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.meaning.length).toBeGreaterThan(10);
    }
  });

  it('documents every code in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const missing = codes.filter((code) => !readme.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });
});
