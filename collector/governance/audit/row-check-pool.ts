/**
 * Worker threads for the per-row checks of row-check.ts. Hashing was ~2/3 of the main
 * thread's time verifying 1M events (CPU profile of audit-verify-1m: 3.7 s of SHA-256 and
 * 1.9 s of index checks in 9.1 s), and every row can be checked on its own; the main thread
 * keeps the DuckDB scan, the link check and the Merkle roots.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RowBatch, RowBatchResult } from './row-check.js';

/** Which script a worker runs, and with what Node flags. */
export interface WorkerSpec {
  readonly url: URL;
  readonly execArgv?: readonly string[];
}

const COMPILED = new URL('./row-check-worker.js', import.meta.url);

/**
 * The compiled worker beside this module when it runs from dist. Running from source (vitest,
 * tsx) there is no .js beside it and plain Node cannot run the .ts, so there are no workers and
 * rows are checked in-thread; tests reach the worker path by passing a spec with a TS loader.
 */
export function compiledWorkerSpec(): WorkerSpec | undefined {
  return existsSync(fileURLToPath(COMPILED)) ? { url: COMPILED } : undefined;
}

/** Two workers at most: the main thread stays busy scanning (audit-verify-1m runs on 2 cores). */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/** A checked batch: what the check found, and the batch back, its buffers free for reuse. */
export interface CheckedBatch {
  readonly result: RowBatchResult;
  readonly batch: RowBatch;
}

interface Pending {
  resolve(checked: CheckedBatch): void;
  reject(error: Error): void;
}

/** A fixed set of workers, batches handed out in turn; a dead worker fails every pending batch. */
export class RowCheckPool {
  private readonly workers: Worker[] = [];
  private readonly queues: Pending[][] = [];
  private next = 0;

  constructor(spec: WorkerSpec, size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(spec.url, { execArgv: [...(spec.execArgv ?? [])] });
      const queue: Pending[] = [];
      const failAll = (error: Error) => {
        for (const p of queue.splice(0)) p.reject(error);
      };
      worker.on('message', (checked: CheckedBatch) => queue.shift()?.resolve(checked));
      worker.on('error', failAll);
      worker.on('exit', (code) => failAll(new Error(`row-check worker exited with code ${code}`)));
      this.workers.push(worker);
      this.queues.push(queue);
    }
  }

  /**
   * Checks a batch on the next worker. The batch's buffers are transferred: do not use them
   * until the batch comes back with the result.
   */
  check(batch: RowBatch): Promise<CheckedBatch> {
    const i = this.next++ % this.workers.length;
    return new Promise((resolve, reject) => {
      this.queues[i]!.push({ resolve, reject });
      this.workers[i]!.postMessage(batch, [
        batch.bytes.buffer as ArrayBuffer,
        batch.partStart.buffer as ArrayBuffer,
        batch.seq.buffer as ArrayBuffer,
        batch.ts.buffer as ArrayBuffer,
      ]);
    });
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
