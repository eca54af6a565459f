/** Worker thread entry: checks the row batches row-check-pool.ts sends (see row-check.ts). */
import { parentPort } from 'node:worker_threads';
import { checkRows, type RowBatch } from './row-check.js';

parentPort?.on('message', (batch: RowBatch) => {
  const result = checkRows(batch);
  // The leaf hashes go back without a copy.
  parentPort?.postMessage(result, result.leaves ? [result.leaves.buffer as ArrayBuffer] : []);
});
