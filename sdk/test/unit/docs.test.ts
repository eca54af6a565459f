/**
 * Every public export of the SDK has a doc comment with an @example in its source, and a section
 * with a code example in sdk/README.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const src = new URL('../../src/', import.meta.url);
const index = readFileSync(new URL('index.ts', src), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const sources = readdirSync(src)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(new URL(f, src), 'utf8'));

/** The names index.ts exports (`export { a, type B } from …` and `export type { C } from …`). */
const exported = [...index.matchAll(/export (?:type )?\{([^}]+)\}/g)].flatMap((m) =>
  (m[1] ?? '')
    .split(',')
    .map((name) => name.replace(/^\s*type\s+/, '').trim())
    .filter(Boolean),
);

/** The doc comments right above each declaration of `name` (a schema and its type share a name). */
function docsOf(name: string): string[] {
  const declaration = new RegExp(
    `\\nexport (?:declare )?(?:async )?(?:function|class|const|interface|type) ${name}\\b`,
    'g',
  );
  const docs: string[] = [];
  for (const text of sources) {
    for (const match of text.matchAll(declaration)) {
      const before = text.slice(0, match.index + 1);
      docs.push(before.trimEnd().endsWith('*/') ? before.slice(before.lastIndexOf('/**')) : '');
    }
  }
  return docs;
}

describe('public API docs', () => {
  it('finds the exports', () => {
    expect(exported).toContain('createMonitor');
    expect(exported).toContain('PredictionRecord');
    expect(exported.length).toBeGreaterThan(20);
  });

  it.each(exported)('%s has a doc comment with an @example', (name) => {
    const docs = docsOf(name);
    expect(docs.length, `no declaration of ${name} found`).toBeGreaterThan(0);
    expect(docs.some((doc) => doc.includes('@example'))).toBe(true);
  });

  it.each(exported)('%s has a README section with a code example', (name) => {
    const section = readme.split(`### \`${name}\``)[1]?.split('\n### ')[0];
    expect(section, `README has no "### \`${name}\`" section`).toBeDefined();
    expect(section).toMatch(/```ts\n[\s\S]*?\S[\s\S]*?\n```/);
  });
});
