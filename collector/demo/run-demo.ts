/**
 * `factorywatch demo`: the collector on the embedded store with demo feeds: an emulated
 * dcgm-exporter that the collector scrapes, flights and Seattle weather replayed as predictions
 * with delayed labels, and pipeline stats with a stall now and then. Prints the URL, an admin
 * token and what to try next.
 */
import { TokenStore, tokensPath } from '../governance/tokens.js';
import { untilSignalled } from '../cli/start.js';
import type { CliIo } from '../cli/io.js';
import { configFlagsUsage, loadConfig } from '../cli/load-config.js';
import { startCollector } from '../server.js';
import { startDcgmEmulator } from './dcgm-emulator.js';
import { startDemoFeeds } from './feeds.js';

export async function runDemo(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(configFlagsUsage('demo'));
    return 0;
  }
  // The demo keeps the terminal readable: warnings only, unless the user chose a level.
  const quiet = process.env.FACTORYWATCH_LOG_LEVEL === undefined ? ['--log-level', 'warn'] : [];
  const base = loadConfig([...quiet, ...args]);
  const exporter = await startDcgmEmulator({ port: 0, host: '127.0.0.1' });
  const config = {
    ...base,
    // Drift every 30 s over two-minute windows, so the replayed seasons show up within minutes.
    drift: { ...base.drift, intervalSeconds: 30, windowSeconds: 120 },
    gpu: {
      ...base.gpu,
      scrape: [...base.gpu.scrape, { url: exporter.url, intervalMs: 5_000, timeoutMs: 4_000, labels: {} }],
    },
  };
  const collector = await startCollector(config);
  const tokens = new TokenStore(tokensPath(config.dataDir));
  const admin = tokens.create({ subject: 'demo-admin', role: 'admin', tenant: 'default' }).secret;
  const service = tokens.create({ subject: 'demo-feeds', role: 'service', tenant: 'default' }).secret;
  const url = collector.url as string;
  let lastError = '';
  const feeds = startDemoFeeds(
    { url, token: service },
    {
      onError: (error) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastError) io.stderr.write(`demo feed: ${message}\n`);
        lastError = message;
      },
    },
  );
  io.stdout.write(demoBanner(url, admin, exporter.url, config.dataDir));
  await untilSignalled(collector, () => {
    feeds.stop();
    void exporter.stop();
  });
  return 0;
}

function demoBanner(url: string, token: string, exporterUrl: string, dataDir: string): string {
  return `
factorywatch demo is running (Ctrl-C to stop)

  collector      ${url}    (data in ${dataDir})
  dcgm-exporter  ${exporterUrl}    (emulated; scraped every 5 s)
  admin token    ${token}

Try:
  export FACTORYWATCH_URL=${url} FACTORYWATCH_TOKEN=${token}
  curl -s -H "Authorization: Bearer $FACTORYWATCH_TOKEN" $FACTORYWATCH_URL/v1/stats
  curl -s -H "Authorization: Bearer $FACTORYWATCH_TOKEN" $FACTORYWATCH_URL/metrics | grep ^factorywatch_
  npx factorywatch gpu idle --since 1h
  npx factorywatch drift show --model flight-delay
  npx factorywatch models
  npx factorywatch pipelines
  npx factorywatch audit verify
`;
}
