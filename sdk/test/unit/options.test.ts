import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, resolveOptions } from '../../src/options.js';

const valid = { endpoint: 'http://127.0.0.1:8787', token: 'tok', model: 'flight-delay', version: '3' };

describe('resolveOptions', () => {
  it('fills in the defaults and normalises the endpoint to a base URL', () => {
    const result = resolveOptions(valid, {});
    if (!result.ok) throw new Error(result.problems.join());
    expect(result.options).toMatchObject({
      ...DEFAULT_OPTIONS,
      model: 'flight-delay',
      version: '3',
      token: 'tok',
    });
    expect(new URL('v1/predictions', result.options.endpoint).href).toBe(
      'http://127.0.0.1:8787/v1/predictions',
    );
  });

  it('keeps a path prefix of the endpoint', () => {
    const result = resolveOptions({ ...valid, endpoint: 'https://gw.example/factorywatch' }, {});
    if (!result.ok) throw new Error(result.problems.join());
    expect(new URL('v1/labels', result.options.endpoint).href).toBe(
      'https://gw.example/factorywatch/v1/labels',
    );
  });

  it('falls back to FACTORYWATCH_URL and FACTORYWATCH_TOKEN, as the CLI does', () => {
    const result = resolveOptions(
      { model: 'm', version: '1' },
      { FACTORYWATCH_URL: 'http://c:8787', FACTORYWATCH_TOKEN: 'env-token' },
    );
    expect(result.ok && result.options.token).toBe('env-token');
    expect(result.ok && result.options.endpoint.host).toBe('c:8787');
  });

  it('lists every problem, not just the first', () => {
    const result = resolveOptions(
      { endpoint: 'ftp://x', token: '', model: '', version: 'v', batchSize: 0, maxQueue: 5, gzip: 'yes' },
      {},
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join('\n')).toMatch(/endpoint must use http/);
    expect(result.problems.join('\n')).toMatch(/token/);
    expect(result.problems.join('\n')).toMatch(/model/);
    expect(result.problems.join('\n')).toMatch(/batchSize/);
    expect(result.problems.join('\n')).toMatch(/gzip/);
  });

  it('refuses a queue smaller than a batch', () => {
    const result = resolveOptions({ ...valid, batchSize: 100, maxQueue: 50 }, {});
    expect(!result.ok && result.problems).toEqual(['maxQueue (50) must be at least batchSize (100)']);
  });

  it('warns about unknown keys without disabling the monitor', () => {
    const result = resolveOptions({ ...valid, batchsize: 10 }, {});
    expect(result.ok && result.warnings).toEqual([
      'unknown option "batchsize" is ignored; check its spelling',
    ]);
  });
});
