/**
 * The background loop that moves queued records to the collector: batches by size (a full queue
 * starts it) and by time (the flush tick), one request in flight, retries with backoff, and a
 * bounded shutdown. Nothing here runs inside a host's call: the hot path only flips a flag and
 * schedules the loop with setImmediate.
 */
import { backoffDelay } from './backoff.js';
import { encodeBatch } from './encode.js';
import type { OnceLogger } from './logger.js';
import type { BoundedQueue } from './bounded-queue.js';
import type { Counters, StreamName } from './stats.js';
import type { SendOutcome, Transport } from './transport.js';

/** One stream's queue and where it goes. */
export interface Stream {
  readonly name: StreamName;
  /** Path under the endpoint, e.g. `v1/predictions`. */
  readonly path: string;
  readonly queue: BoundedQueue<unknown>;
  /** Records per request; lowered when the collector answers 413. */
  batchLimit: number;
}

/** Settings the loop needs (a subset of the resolved options). */
export interface DeliverySettings {
  readonly batchSize: number;
  readonly gzip: boolean;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly maxQueue: number;
}

type Step = { ok: true } | { ok: false; delayMs: number };

/** Drives delivery for one monitor. */
export class Delivery {
  /** True from the moment a pump is scheduled until it exits; read on the hot path. */
  pumping = false;
  private drainAll = false;
  private consecutiveFailures = 0;
  private pumpDone: Promise<void> = Promise.resolve();
  private wakeSleeper: (() => void) | undefined;
  private flushWaiters: ((drained: boolean) => void)[] = [];
  private closing = false;
  private abandoned = false;
  private deadline = Infinity;
  private readonly abort = new AbortController();
  private lastPicked = -1;

  constructor(
    private readonly streams: readonly Stream[],
    private readonly transport: Transport,
    private readonly settings: DeliverySettings,
    private readonly counters: Counters,
    private readonly log: OnceLogger,
  ) {}

  /** A queue reached its batch size: send full batches soon. */
  kick(): void {
    if (this.pumping) return;
    this.start();
  }

  /** The flush tick: send everything queued, partial batches too (unless waiting out a backoff). */
  tick(): void {
    if (this.closing) return;
    this.drainAll = true;
    if (!this.pumping && this.queued() > 0) this.start();
  }

  /** Sends everything queued now; resolves true once all is delivered, false at the first failure. */
  flush(): Promise<boolean> {
    if (this.abandoned) return Promise.resolve(this.queued() === 0);
    if (!this.pumping && this.queued() === 0) return Promise.resolve(true);
    const done = new Promise<boolean>((resolve) => this.flushWaiters.push(resolve));
    this.drainAll = true;
    this.wakeSleeper?.();
    if (!this.pumping) this.start();
    return done;
  }

  /**
   * Delivers what it can within `timeoutMs`, then aborts the request in flight and counts what is
   * left as dropped (reason shutdown). Always resolves within the timeout (plus a tick).
   */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    this.drainAll = true;
    this.deadline = Date.now() + timeoutMs;
    this.wakeSleeper?.();
    if (!this.pumping && this.queued() > 0) this.start();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.pumpDone, timedOut]);
    clearTimeout(timer);
    this.abandoned = true;
    this.abort.abort();
    this.counters.droppedShutdown += this.counters.inFlight;
    this.counters.inFlight = 0;
    for (const stream of this.streams) this.counters.droppedShutdown += stream.queue.clear();
    this.resolveWaiters(false);
    this.transport.close();
  }

  /** Records waiting in all queues. */
  queued(): number {
    let total = 0;
    for (const stream of this.streams) total += stream.queue.length;
    return total;
  }

  private start(): void {
    this.pumping = true;
    this.pumpDone = this.pumpSoon();
  }

  private async pumpSoon(): Promise<void> {
    // Never send from inside the host's call stack: yield to the event loop first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      await this.pump();
    } catch (error) {
      this.log.errorOnce('delivery:bug', `delivery loop failed: ${String(error)}; records stay queued`);
    } finally {
      this.pumping = false;
      this.drainAll = false;
      this.resolveWaiters(this.queued() === 0 && this.counters.inFlight === 0);
    }
  }

  private async pump(): Promise<void> {
    for (;;) {
      if (this.abandoned) return;
      const stream = this.pick();
      if (stream === undefined) return;
      const batch = stream.queue.take(stream.batchLimit);
      this.counters.inFlight = batch.length;
      const step = await this.send(stream, batch);
      if (this.abandoned) return;
      this.counters.inFlight = 0;
      if (step.ok) continue;
      this.resolveWaiters(false);
      if (this.closing && Date.now() >= this.deadline) return;
      await this.sleep(this.closing ? Math.min(step.delayMs, this.deadline - Date.now()) : step.delayMs);
      // The batch went back to the queue: after the pause it goes whatever its size.
      this.drainAll = true;
    }
  }

  /**
   * The next stream to send: one with a full batch, else (when draining) any with records. The
   * search starts after the stream sent last, so a flood of predictions cannot starve labels.
   */
  private pick(): Stream | undefined {
    const count = this.streams.length;
    for (const full of [true, false]) {
      if (!full && !this.drainAll) return undefined;
      for (let k = 1; k <= count; k++) {
        const index = (this.lastPicked + k) % count;
        const stream = this.streams[index] as Stream;
        if (full ? stream.queue.length >= stream.batchLimit : stream.queue.length > 0) {
          this.lastPicked = index;
          return stream;
        }
      }
    }
    return undefined;
  }

  private async send(stream: Stream, batch: unknown[]): Promise<Step> {
    let outcome: SendOutcome;
    try {
      const encoded = await encodeBatch(batch, this.settings.gzip);
      this.counters.requests++;
      outcome = await this.transport.post(stream.path, encoded, batch.length, this.abort.signal);
    } catch (error) {
      // Only a serialisation bug gets here: the records can never be sent, so do not retry them.
      this.counters.rejected += batch.length;
      this.log.errorOnce('delivery:encode', `could not encode a ${stream.name} batch: ${String(error)}`);
      return { ok: true };
    }
    if (this.abandoned) return { ok: true };
    switch (outcome.kind) {
      case 'accepted':
        return this.onAccepted(stream, batch.length, outcome);
      case 'refused':
        this.counters.rejected += batch.length;
        this.consecutiveFailures = 0;
        this.counters.lastError = `HTTP ${outcome.status} ${outcome.code}: ${outcome.message}`;
        this.log.errorOnce(
          `refused:${stream.name}:${outcome.status}:${outcome.code}`,
          `the collector refused a ${stream.name} batch of ${batch.length} (HTTP ${outcome.status} ${outcome.code}: ${outcome.message}); ` +
            `such batches are dropped, not retried${outcome.status === 401 || outcome.status === 403 ? '; check the token and its role' : ''}`,
        );
        return { ok: true };
      case 'too-large':
        return this.onTooLarge(stream, batch);
      case 'retry':
        return this.onRetry(stream, batch, outcome.reason, outcome.retryAfterMs);
    }
  }

  private onAccepted(
    stream: Stream,
    sent: number,
    outcome: Extract<SendOutcome, { kind: 'accepted' }>,
  ): Step {
    const accepted = Math.max(0, Math.min(sent, outcome.accepted));
    this.counters.delivered += accepted;
    this.counters.deliveredByStream[stream.name] += accepted;
    this.counters.rejected += sent - accepted;
    this.consecutiveFailures = 0;
    for (const rejection of outcome.rejected) {
      // The path names the record's index (/records/7/features): drop indices so one kind of
      // problem is logged once, not once per record.
      const where = String(rejection.path).replace(/\/\d+(?=\/|$)/g, '/*');
      this.log.warnOnce(
        `rejected:${stream.name}:${rejection.code}:${where}`,
        `the collector rejected a ${stream.name} record (${rejection.code} at ${rejection.path || '/'}: ${rejection.message}); it is dropped, not retried`,
      );
    }
    return { ok: true };
  }

  private onTooLarge(stream: Stream, batch: unknown[]): Step {
    if (batch.length === 1) {
      this.counters.rejected += 1;
      this.log.errorOnce(
        `too-large:${stream.name}`,
        `a single ${stream.name} record is larger than the collector accepts; it is dropped`,
      );
      return { ok: true };
    }
    // Halve the batch for this stream from now on and put the records back to go in two requests.
    stream.batchLimit = Math.max(1, Math.floor(batch.length / 2));
    this.counters.droppedQueueFull += stream.queue.unshift(batch);
    this.log.warnOnce(
      `too-large-batch:${stream.name}:${stream.batchLimit}`,
      `the collector found a ${stream.name} batch of ${batch.length} too large; sending at most ${stream.batchLimit} per request`,
    );
    this.drainAll = true;
    return { ok: true };
  }

  private onRetry(stream: Stream, batch: unknown[], reason: string, retryAfterMs: number | undefined): Step {
    this.counters.retries++;
    this.consecutiveFailures++;
    this.counters.lastError = reason;
    // Back in front of the queue: if the queue is now over its bound, these oldest records go first.
    const dropped = stream.queue.unshift(batch);
    this.counters.droppedQueueFull += dropped;
    this.log.warnOnce(
      'delivery:retrying',
      `cannot deliver to the collector (${reason}); retrying with backoff, holding at most ${this.settings.maxQueue} records per stream and dropping the oldest past that`,
    );
    const delayMs =
      retryAfterMs ??
      backoffDelay(this.consecutiveFailures, this.settings.retryBaseDelayMs, this.settings.retryMaxDelayMs);
    return { ok: false, delayMs };
  }

  /** Waits `ms`, or less if flush/close wakes it. The timer is unref'd: a backoff never keeps the host alive. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = () => {
        this.wakeSleeper = undefined;
        done();
      };
    });
  }

  private resolveWaiters(drained: boolean): void {
    if (this.flushWaiters.length === 0) return;
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const resolve of waiters) resolve(drained);
  }
}
