/**
 * The Store contract: every adapter runs these suites against a real database. Each part of
 * the design keeps its own file here.
 */
import type { Store } from '../../collector/store/store.js';
import { describeAuditContract } from './audit.contract.js';
import { describeDriftContract } from './drift.contract.js';
import { describeGpuContract } from './gpu.contract.js';
import { describeHealthContract } from './health.contract.js';
import { describeIngestContract } from './ingest.contract.js';

/** Opens a fresh, empty store for one test. */
export type OpenStore = () => Promise<Store>;

export function describeStoreContract(open: OpenStore): void {
  describeIngestContract(open);
  describeDriftContract(open);
  describeGpuContract(open);
  describeAuditContract(open);
  describeHealthContract(open);
}
