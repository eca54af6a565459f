/**
 * An in-process collector on a real DuckDB file and a real WAL in a scratch directory, with
 * real tokens, for `app.inject()` tests.
 */
import type { LightMyRequestResponse } from 'fastify';
import { resolveConfig, type Config } from '../../collector/config/config.js';
import { TokenStore, tokensPath } from '../../collector/governance/tokens.js';
import { assembleCollector, type Collector } from '../../collector/server.js';
import { scratchDir } from './tmp.js';

export interface TestCollector {
  collector: Collector;
  config: Config;
  dataDir: string;
  adminToken: string;
  serviceToken: string;
  request(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    options?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function openTestCollector(file: Record<string, unknown> = {}): Promise<TestCollector> {
  const dataDir = scratchDir();
  const config = resolveConfig({ file: { dataDir, logLevel: 'silent', ...file } });
  const tokens = new TokenStore(tokensPath(dataDir));
  const adminToken = tokens.create({ subject: 'test-admin', role: 'admin', tenant: 'default' }).secret;
  const serviceToken = tokens.create({ subject: 'test-service', role: 'service', tenant: 'default' }).secret;
  const collector = await assembleCollector(config);
  return {
    collector,
    config,
    dataDir,
    adminToken,
    serviceToken,
    request(method, url, options = {}) {
      const token = options.token === undefined ? adminToken : options.token;
      const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}) };
      let payload: string | Buffer | undefined;
      if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) payload = options.body;
      else if (options.body !== undefined) {
        payload = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
      return collector.app.inject({
        method,
        url,
        headers: { ...headers, ...options.headers },
        ...(payload === undefined ? {} : { payload }),
      });
    },
    close: () => collector.close(),
  };
}
