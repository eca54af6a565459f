/**
 * What every route plugin and background job receives: the resolved configuration, the store,
 * the collector's metrics registry and the logger. Each part of the design registers its routes
 * as `async function xRoutes(app: FastifyInstance, ctx: AppContext)`; authentication and
 * authorisation run before any handler (http/auth-hook.ts), driven by governance/routes.ts.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import type { AuditEventInput } from '../governance/audit/event.js';
import type { GpuSeriesSample } from '../gpu/parse-exposition.js';
import type { Store } from '../store/store.js';

export interface AppContext {
  readonly config: Config;
  readonly store: Store;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly ingest: IngestSink;
  /** Records an event in the audit trail (reference changes, exports); never throws. */
  readonly audit: AuditSink;
}

/** The audit trail as other parts see it. */
export interface AuditSink {
  append(input: AuditEventInput): void;
}

/** Where background producers (the GPU scraper, the demo feeds) hand records to the WAL. */
export interface IngestSink {
  /** Durably appends scraped GPU samples; rejects with FactorywatchError('WAL_FULL') past the cap. */
  appendGpuSamples(tenant: string, samples: GpuSeriesSample[]): Promise<void>;
}

/** A background job started with the collector and stopped on shutdown. */
export interface BackgroundJob {
  stop(): Promise<void>;
}
