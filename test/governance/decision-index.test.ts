import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexPolicy } from '../../collector/governance/decision-index.js';
import { casbinEnforcerFor } from '../../collector/governance/evaluator.js';
import { parsePolicyText } from '../../collector/governance/policy-text.js';
import { modelText } from './fixtures.js';

const roles = ['admin', 'sre', 'viewer', 'auditor', 'svc'];
const tenants = ['*', 'acme', 'globex'];
const objects = ['*', 'ingest', 'drift', 'audit'];
const actions = ['*', 'read', 'write'];

const pRow = fc
  .tuple(
    fc.constantFrom(...roles),
    fc.constantFrom(...tenants),
    fc.constantFrom(...objects),
    fc.constantFrom(...actions),
    fc.constantFrom('allow', 'deny'),
  )
  .map((f) => `p, ${f.join(', ')}`);
const gRow = fc
  .tuple(fc.constantFrom(...roles), fc.constantFrom(...roles), fc.constantFrom(...tenants))
  .map((f) => `g, ${f.join(', ')}`);

describe('indexed evaluator', () => {
  it('gives node-casbin enforceEx answers and matched rules on random policies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(pRow, { maxLength: 25 }),
        fc.array(gRow, { maxLength: 6 }),
        async (ps, gs) => {
          const policy = parsePolicyText([...ps, ...gs].join('\n'));
          const ours = indexPolicy(policy);
          const casbin = await casbinEnforcerFor(modelText, policy);
          for (const sub of roles)
            for (const dom of ['acme', 'globex', '*'])
              for (const obj of ['ingest', 'drift', 'audit'])
                for (const act of ['read', 'write']) {
                  const [allowed, rule] = casbin.enforceExSync(sub, dom, obj, act);
                  const expected = {
                    allowed,
                    rule: rule.length ? ['p', ...rule].join(', ') : 'default-deny',
                  };
                  expect(
                    ours.evaluate(sub, dom, obj, act),
                    `${sub} ${dom} ${obj} ${act}\n${[...ps, ...gs].join('\n')}`,
                  ).toEqual(expected);
                }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('lets a deny override an allow wherever it appears, naming the deny', () => {
    const policy = parsePolicyText(
      'p, viewer, *, drift, read, allow\ng, auditor, viewer, *\np, auditor, *, drift, *, deny',
    );
    const index = indexPolicy(policy);
    expect(index.evaluate('viewer', 'acme', 'drift', 'read')).toEqual({
      allowed: true,
      rule: 'p, viewer, *, drift, read, allow',
    });
    expect(index.evaluate('auditor', 'acme', 'drift', 'read')).toEqual({
      allowed: false,
      rule: 'p, auditor, *, drift, *, deny',
    });
    expect(index.evaluate('nobody', 'acme', 'drift', 'read')).toEqual({
      allowed: false,
      rule: 'default-deny',
    });
  });
});
