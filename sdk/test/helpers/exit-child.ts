/**
 * A host process for the flushOnExit test: logs predictions, then either sends itself SIGTERM
 * (`signal`) or simply runs out of work (`drain`). Run with `node --import tsx`.
 * argv: endpoint, count, mode.
 */
import { createMonitor } from '../../src/index.js';

const [endpoint, count, mode] = process.argv.slice(2);
const monitor = createMonitor({
  endpoint,
  token: 't',
  model: 'exit-test',
  version: '1',
  flushIntervalMs: 60_000,
  batchSize: 10_000,
  flushOnExit: true,
});
for (let i = 0; i < Number(count); i++) monitor.logPrediction({ features: { i }, prediction: 1 });
if (mode === 'signal') {
  // Keep the process alive as a server would; only the signal should end it.
  setInterval(() => undefined, 1000);
  process.kill(process.pid, 'SIGTERM');
}
