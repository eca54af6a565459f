/**
 * Assembles a collector from a resolved configuration: store, WAL, writer, governance, routes and
 * background jobs. `assembleCollector` builds everything but does not listen (tests inject);
 * `startCollector` also listens and starts the background jobs.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { Config } from './config/config.js';
import { buildApp, type RoutePlugin } from './http/app.js';
import type { AppContext, BackgroundJob, IngestSink } from './http/context.js';
import { WalWriter } from './ingest/writer.js';
import { createCollectorMetrics, type CollectorMetrics } from './metrics/collector-metrics.js';
import { openStoreWhenReachable } from './store/open.js';
import type { Store } from './store/store.js';
import { Wal } from './wal/wal.js';
import { createGovernance, type Governance } from './governance/core.js';
import { gpuRoutes } from './gpu/routes.js';
import { startGpuMetrics } from './gpu/metrics.js';
import { startGpuRollup } from './gpu/rollup.js';
import { startGpuScraper } from './gpu/scraper.js';
import { driftRoutes } from './drift/routes.js';
import { startDriftScheduler } from './drift/scheduler.js';
import { startHealthMetrics } from './models/metrics.js';
import { modelRoutes } from './models/routes.js';
import { pipelineRoutes } from './pipeline/routes.js';
import { VERSION } from './version.js';

export interface Collector {
  readonly app: FastifyInstance;
  readonly context: AppContext;
  readonly store: Store;
  readonly wal: Wal;
  readonly writer: WalWriter;
  readonly metrics: CollectorMetrics;
  /** The listening URL once started. */
  url?: string;
  /** Starts the background jobs (scraping, scheduled drift, metric refreshes, checkpoints). */
  startJobs(): void;
  /** Stops jobs, the server and the writer, then closes the WAL and the store. */
  close(): Promise<void>;
}

export interface AssembleOptions {
  logger?: Logger;
}

export async function assembleCollector(config: Config, options: AssembleOptions = {}): Promise<Collector> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'factorywatch' } });
  await mkdir(config.dataDir, { recursive: true });
  const metrics = createCollectorMetrics(VERSION);
  metrics.walCapacityBytes.set(config.wal.maxBytes);
  const store = await openStoreWhenReachable(config.store, logger);
  const wal = await Wal.open(join(config.dataDir, 'wal'), {
    maxBytes: config.wal.maxBytes,
    segmentBytes: config.wal.segmentBytes,
    onProblem: (problem) =>
      logger.warn(problem, 'damaged WAL frame: the tail after it was never acknowledged and is cut off'),
  });
  const writer = new WalWriter(wal, store, metrics, logger, config.wal);
  const ingest: IngestSink = {
    async appendGpuSamples(tenant, samples) {
      if (samples.length === 0) return;
      const receivedAt = Date.now();
      await wal.append('gpu_samples', tenant, receivedAt, samples);
      metrics.ingestedRecords.inc({ stream: 'gpu_samples' }, samples.length);
      metrics.lastIngestAt.set('gpu_samples', receivedAt);
    },
  };
  const governance = await createGovernance({
    dataDir: config.dataDir,
    config,
    store,
    registry: metrics.registry,
    logger,
  });
  const context: AppContext = {
    config,
    store,
    registry: metrics.registry,
    logger,
    ingest,
    audit: governance,
  };
  const parts = partsOf(context, governance);
  const app = await buildApp({
    context,
    wal,
    writer,
    metrics,
    registerGuard: parts.registerGuard,
    routes: parts.routes,
  });
  writer.start();

  const jobs: BackgroundJob[] = [];
  const collector: Collector = {
    app,
    context,
    store,
    wal,
    writer,
    metrics,
    startJobs() {
      if (jobs.length === 0) jobs.push(...parts.startJobs());
    },
    async close() {
      for (const job of jobs.reverse())
        await job.stop().catch((err: unknown) => logger.error({ err }, 'job stop failed'));
      await app.close();
      await parts.close();
      await writer.stop();
      await wal.close();
      await store.close();
    },
  };
  return collector;
}

export async function startCollector(config: Config, options: AssembleOptions = {}): Promise<Collector> {
  const collector = await assembleCollector(config, options);
  const address = await collector.app.listen({ host: config.host, port: config.port });
  collector.url = address;
  collector.startJobs();
  collector.context.logger.info(
    { url: address, store: collector.store.kind },
    'factorywatch collector listening',
  );
  return collector;
}

interface Parts {
  registerGuard: (app: FastifyInstance) => void;
  routes: RoutePlugin[];
  startJobs: () => BackgroundJob[];
  close: () => Promise<void>;
}

/** Every part of the design, wired to the context. */
function partsOf(context: AppContext, governance: Governance): Parts {
  let started = false;
  return {
    registerGuard: (app) => governance.registerGuard(app),
    routes: [driftRoutes, gpuRoutes, modelRoutes, pipelineRoutes, (app) => governance.routes(app)],
    startJobs: () => {
      started = true;
      void governance
        .start()
        .catch((err: unknown) => context.logger.error({ err }, 'governance start failed'));
      return [
        startGpuScraper(context),
        startGpuMetrics(context),
        startGpuRollup(context),
        startDriftScheduler(context),
        startHealthMetrics(context),
        { stop: () => governance.stop() },
      ];
    },
    // Without started jobs nothing signs a final checkpoint, but buffered audit events are still written.
    close: async () => {
      if (!started) await governance.trail.flush();
    },
  };
}
