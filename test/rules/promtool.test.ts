/**
 * The generated Prometheus rules against the real promtool: `check rules` accepts the file, and
 * the unit tests in test/rules/promtool/ make every alert fire when it should and stay silent
 * when it should not.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildRules, RULE_FILES } from '../../rules/build.js';
import { ALERTS } from '../../rules/catalogue.js';
import { requireTool } from '../helpers/prometheus.js';
import { scratchDir } from '../helpers/tmp.js';

const UNIT_TEST_DIR = join(import.meta.dirname, 'promtool');
const unitTestFiles = readdirSync(UNIT_TEST_DIR).filter((name) => name.endsWith('.test.yml'));

interface UnitTestFile {
  rule_files: string[];
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

let promtool: string;
let outDir: string;

beforeAll(async () => {
  promtool = requireTool('promtool');
  outDir = scratchDir('fw-rules-');
  await buildRules(outDir);
  for (const name of unitTestFiles) copyFileSync(join(UNIT_TEST_DIR, name), join(outDir, name));
});

function runPromtool(args: string[]): { code: number; output: string } {
  try {
    const output = execFileSync(promtool, args, {
      cwd: outDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { code: failed.status, output: failed.stdout + failed.stderr };
  }
}

describe('generated Prometheus rules', () => {
  it('pass promtool check rules, with at least 12 alerts', () => {
    const result = runPromtool(['check', 'rules', RULE_FILES.prometheus]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code, result.output).toBe(0);
    const found = /SUCCESS: (\d+) rules found/.exec(result.output);
    expect(Number(found?.[1])).toBe(ALERTS.length);
    expect(ALERTS.length).toBeGreaterThanOrEqual(12);
  });

  it.each(unitTestFiles)('pass the promtool unit tests in %s', (name) => {
    const result = runPromtool(['test', 'rules', name]);
    expect(result.code, result.output).toBe(0);
  });

  it('have a firing and a silent unit-test case for every alert', () => {
    const firing = new Set<string>();
    const silent = new Set<string>();
    for (const name of unitTestFiles) {
      const file = parse(readFileSync(join(UNIT_TEST_DIR, name), 'utf8')) as UnitTestFile;
      expect(file.rule_files).toEqual([RULE_FILES.prometheus]);
      for (const group of file.tests) {
        for (const check of group.alert_rule_test ?? []) {
          ((check.exp_alerts ?? []).length > 0 ? firing : silent).add(check.alertname);
        }
      }
    }
    const names = ALERTS.map((alert) => alert.name).sort();
    expect([...firing].sort()).toEqual(names);
    expect([...silent].sort()).toEqual(names);
  });

  it('are rejected by promtool when an expression is broken (the check can fail)', () => {
    const broken = scratchDir('fw-broken-rules-');
    const content = readFileSync(join(outDir, RULE_FILES.prometheus), 'utf8').replace(
      'factorywatch_audit_chain_ok == 0',
      'factorywatch_audit_chain_ok == = 0',
    );
    writeFileSync(join(broken, 'broken.yml'), content);
    const result = runPromtool(['check', 'rules', join(broken, 'broken.yml')]);
    expect(result.code).not.toBe(0);
  });
});
