// Runs the TypeScript row-check worker from source in a worker thread: Node 20 does not apply
// `--import tsx` to a worker's own entry module, so the worker loads it through tsx's API.
import { tsImport } from 'tsx/esm/api';

await tsImport('../../collector/governance/audit/row-check-worker.ts', import.meta.url);
