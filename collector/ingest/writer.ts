/**
 * Drains the WAL into the store: reads durable entries in order, applies them as one batch
 * (sized up to `batchMaxRecords`, waiting up to `batchMaxDelayMs` to fill), and only then marks
 * them applied. Failures are retried with capped exponential backoff while ingest keeps
 * acknowledging into the WAL; the store's idempotency per WAL sequence makes retries and
 * replays after a crash safe.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { WalConfig } from '../config/config.js';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import type { Store } from '../store/store.js';
import type { WalEntry } from '../wal/entry.js';
import type { WalReader } from '../wal/reader.js';
import type { Wal } from '../wal/wal.js';
import { batchRowCounts, entriesToBatch } from './to-rows.js';

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

export interface WriterStatus {
  /** False while the store cannot be reached or refuses writes. */
  ready: boolean;
  reason?: string;
  appliedSeq: number;
}

export class WalWriter {
  private readonly events = new EventEmitter();
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private statusValue: WriterStatus = {
    ready: false,
    reason: 'the store has not answered yet',
    appliedSeq: -1,
  };

  constructor(
    private readonly wal: Wal,
    private readonly store: Store,
    private readonly metrics: CollectorMetrics,
    private readonly logger: Logger,
    private readonly options: Pick<WalConfig, 'batchMaxRecords' | 'batchMaxDelayMs'>,
  ) {
    this.events.setMaxListeners(0);
    wal.events.on('durable', () => this.wake?.());
    // Series exist from the start, so alerts on rate() see a zero before the first failure.
    metrics.storeWriteErrors.inc({ store: store.kind }, 0);
    metrics.storeUp.set({ store: store.kind }, 0);
  }

  get status(): WriterStatus {
    return this.statusValue;
  }

  start(): void {
    this.loop ??= this.run().catch((error: unknown) => {
      this.logger.fatal({ err: error }, 'the WAL writer stopped');
      this.statusValue = {
        ...this.statusValue,
        ready: false,
        reason: `WAL writer stopped: ${String(error)}`,
      };
    });
  }

  /** Resolves once every entry appended before the call is in the store. */
  async drained(): Promise<void> {
    const target = this.wal.nextSeq - 1;
    while (this.statusValue.appliedSeq < target) {
      await new Promise((resolve) => this.events.once('applied', resolve));
    }
  }

  /** Stops after the batch under way; what is left stays in the WAL for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const highWater = await this.retrying('read the applied high-water mark', () =>
      this.store.ingest.appliedHighWater(this.wal.id),
    );
    if (highWater === undefined) return;
    await this.wal.restoreBacklog(highWater);
    this.setApplied(highWater);
    this.metrics.walBacklogBytes.set(this.wal.backlogBytes);
    const reader = this.wal.reader(highWater + 1);
    try {
      // The next batch is read and decoded while the store applies the current one, so the
      // JSON work overlaps DuckDB's (or ClickHouse's) own threads.
      let next = this.nextBatch(reader);
      while (!this.stopping) {
        const entries = await next;
        next = this.stopping ? Promise.resolve([]) : this.nextBatch(reader);
        if (entries.length === 0) continue;
        const batch = entriesToBatch(this.wal.id, entries);
        const started = performance.now();
        const applied = await this.retrying('apply a batch', async () => {
          await this.store.ingest.applyBatch(batch);
          return true;
        });
        if (!applied) break;
        this.metrics.storeWriteDuration.observe(
          { store: this.store.kind },
          (performance.now() - started) / 1000,
        );
        for (const [table, rows] of Object.entries(batchRowCounts(batch))) {
          if (rows > 0) this.metrics.storeRowsWritten.inc({ table }, rows);
        }
        await this.wal.markApplied(batch.toSeq);
        this.metrics.walBacklogBytes.set(this.wal.backlogBytes);
        this.setApplied(batch.toSeq);
      }
      await next;
    } finally {
      await reader.close();
    }
  }

  /** Entries for one batch: what is durable now, topped up for up to batchMaxDelayMs under load. */
  private async nextBatch(reader: WalReader): Promise<WalEntry[]> {
    const { batchMaxRecords, batchMaxDelayMs } = this.options;
    const entries = await reader.read(batchMaxRecords);
    if (entries.length === 0) {
      await this.sleep(1_000);
      return [];
    }
    let records = entries.reduce((n, e) => n + e.records.length, 0);
    const deadline = Date.now() + batchMaxDelayMs;
    while (records < batchMaxRecords && !this.stopping && Date.now() < deadline) {
      await this.sleep(Math.max(1, deadline - Date.now()));
      const more = await reader.read(batchMaxRecords - records);
      if (more.length === 0) break;
      entries.push(...more);
      records += more.reduce((n, e) => n + e.records.length, 0);
    }
    return entries;
  }

  /** Runs `work` until it succeeds (or the writer stops), backing off between failures. */
  private async retrying<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
    let backoff = MIN_BACKOFF_MS;
    for (;;) {
      try {
        const result = await work();
        if (!this.statusValue.ready) this.logger.info({ store: this.store.kind }, 'the store is reachable');
        this.statusValue = { ready: true, appliedSeq: this.statusValue.appliedSeq };
        this.metrics.storeUp.set({ store: this.store.kind }, 1);
        return result;
      } catch (error) {
        const reason = `cannot ${what}: ${error instanceof Error ? error.message : String(error)}`;
        if (this.statusValue.reason !== reason)
          this.logger.error({ err: error, store: this.store.kind }, reason);
        this.statusValue = { ready: false, reason, appliedSeq: this.statusValue.appliedSeq };
        this.metrics.storeUp.set({ store: this.store.kind }, 0);
        this.metrics.storeWriteErrors.inc({ store: this.store.kind });
        if (this.stopping) return undefined;
        await this.sleep(backoff * (0.5 + Math.random() / 2));
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        if (this.stopping) return undefined;
      }
    }
  }

  private setApplied(seq: number): void {
    this.statusValue = { ...this.statusValue, appliedSeq: seq };
    this.events.emit('applied');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
