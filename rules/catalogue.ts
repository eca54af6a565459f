/** Every factorywatch alert, in the order the rule files list them. */
import { COLLECTOR_ALERTS } from './alerts/collector.js';
import { DRIFT_ALERTS } from './alerts/drift.js';
import { GOVERNANCE_ALERTS } from './alerts/governance.js';
import { GPU_ALERTS } from './alerts/gpu.js';
import { PIPELINE_ALERTS } from './alerts/pipelines.js';
import type { AlertDefinition } from './types.js';

/** All alert definitions; names are unique (a test checks it). */
export const ALERTS: readonly AlertDefinition[] = [
  ...DRIFT_ALERTS,
  ...GPU_ALERTS,
  ...PIPELINE_ALERTS,
  ...COLLECTOR_ALERTS,
  ...GOVERNANCE_ALERTS,
];
