/** The benchmark runner: `npm run bench -- [--only a,b] [--json]`. */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchCase } from './case.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const only = values.only ? new Set(values.only.split(',')) : undefined;

const cases: BenchCase[] = [];
for (const file of readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .sort()) {
  try {
    const module = (await import(pathToFileURL(join(here, file)).href)) as { cases: BenchCase[] };
    cases.push(...module.cases);
  } catch (error) {
    console.error(`skipping ${file}: it failed to load (${(error as Error).message})`);
  }
}
if (values.list) {
  for (const c of cases) console.log(`${c.name.padEnd(28)} ${c.description}`);
  process.exit(0);
}
const selected = cases.filter((c) => !only || only.has(c.name));
if (only && selected.length !== only.size) {
  const known = new Set(cases.map((c) => c.name));
  console.error(`unknown case(s): ${[...only].filter((n) => !known.has(n)).join(', ')}; try --list`);
  process.exit(2);
}
for (const c of selected) {
  if (!values.json) console.error(`running ${c.name}: ${c.description}`);
  const result = { case: c.name, ...(await c.run()) };
  console.log(values.json ? JSON.stringify(result) : formatResult(result));
}

function formatResult(result: Record<string, unknown>): string {
  return Object.entries(result)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : String(v)}`)
    .join('  ');
}
