/** An AppContext for testing one part's routes or jobs: real config and registry, silent logger. */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { resolveConfig } from '../../collector/config/config.js';
import type { AuditEventInput } from '../../collector/governance/audit/event.js';
import type { AppContext } from '../../collector/http/context.js';
import type { Store } from '../../collector/store/store.js';

export interface TestContext extends AppContext {
  /** Audit events the part recorded. */
  readonly audited: AuditEventInput[];
}

export function testContext(options: {
  store: Store;
  file?: Record<string, unknown>;
  ingest?: AppContext['ingest'];
}): TestContext {
  const audited: AuditEventInput[] = [];
  return {
    config: resolveConfig({ file: options.file ?? {} }),
    store: options.store,
    registry: new Registry(),
    logger: pino({ level: 'silent' }),
    ingest: options.ingest ?? {
      appendGpuSamples: () => Promise.reject(new Error('this test does not ingest GPU samples')),
    },
    audit: { append: (input) => audited.push(input) },
    audited,
  };
}
