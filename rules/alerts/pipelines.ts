/** Data pipeline alerts, on the gauges and counters collector/pipeline exports per pipeline and stage. */
import type { AlertDefinition } from '../types.js';

export const PIPELINE_ALERTS: readonly AlertDefinition[] = [
  {
    name: 'FactorywatchPipelineStalled',
    group: 'pipelines',
    expr: 'max by (pipeline, stage) (factorywatch_pipeline_status{status="stalled"}) == 1',
    for: '10m',
    severity: 'critical',
    summary: 'Pipeline {{ $labels.pipeline }} stage {{ $labels.stage }} is stalled',
    description:
      'The collector has classified stage {{ $labels.stage }} of pipeline {{ $labels.pipeline }} as stalled for 10 minutes: ' +
      'it stopped moving rows (or stopped reporting) while downstream consumers still expect data.',
  },
  {
    name: 'FactorywatchPipelineLagHigh',
    group: 'pipelines',
    expr: 'max by (pipeline, stage) (factorywatch_pipeline_lag_seconds) > 900',
    for: '15m',
    severity: 'warning',
    summary:
      'Pipeline {{ $labels.pipeline }} stage {{ $labels.stage }} lags by {{ $value | humanizeDuration }}',
    description:
      'Stage {{ $labels.stage }} of pipeline {{ $labels.pipeline }} has reported a lag above 15 minutes for 15 minutes; ' +
      'models fed by it serve stale features.',
  },
  {
    name: 'FactorywatchPipelineQueueGrowing',
    group: 'pipelines',
    // A queue that grows for half an hour and is already large means the consumer cannot keep
    // up; small queues growing from zero are normal start-up behaviour.
    expr:
      'max by (pipeline, stage) (deriv(factorywatch_pipeline_queue_depth[15m])) > 0 ' +
      'and max by (pipeline, stage) (factorywatch_pipeline_queue_depth) > 1000',
    for: '30m',
    severity: 'warning',
    summary: 'The queue of pipeline {{ $labels.pipeline }} stage {{ $labels.stage }} keeps growing',
    description:
      'The queue in front of stage {{ $labels.stage }} of pipeline {{ $labels.pipeline }} holds more than 1000 items and ' +
      'has grown for 30 minutes: the stage consumes slower than its producers write.',
  },
];
