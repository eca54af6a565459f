/** Worker thread entry: checks the row batches row-check-pool.ts sends (see row-check.ts). */
import { parentPort } from 'node:worker_threads';
import { checkRows, type RowBatch } from './row-check.js';

parentPort?.on('message', (batch: RowBatch) => {
  const result = checkRows(batch);
  // The subtree hashes go back without a copy.
  const transfer = result.subtrees && result.levels ? [result.subtrees.buffer, result.levels.buffer] : [];
  parentPort?.postMessage(result, transfer as ArrayBuffer[]);
});
