/**
 * `startTelemetry`: an OpenTelemetry metrics pipeline for hosts that have none, serving a
 * Prometheus scrape endpoint. `@opentelemetry/sdk-node` and `@opentelemetry/exporter-prometheus`
 * are optional peer dependencies, imported here only when called, so hosts with their own
 * OpenTelemetry set-up never load them. Traces and logs stay off: this sets up metrics only.
 */
import { metrics } from '@opentelemetry/api';
import type { Logger } from './logger.js';

/**
 * Options of {@link startTelemetry}.
 *
 * @example
 * ```ts
 * const options: TelemetryOptions = { prometheus: { port: 9464 }, serviceName: 'flight-delay-api' };
 * ```
 */
export interface TelemetryOptions {
  /** The scrape endpoint: port (default 9464, the exporter's registered port), host (default all interfaces), path (default /metrics). */
  prometheus?: { port?: number; host?: string; endpoint?: string };
  /** `service.name` of the resource (becomes the target_info metric). */
  serviceName?: string;
  /** Where a failure to start is reported (default: a process warning). */
  logger?: Logger;
}

/**
 * What {@link startTelemetry} set up: the scrape URL when it worked, the reason when it did not,
 * and `shutdown()` either way.
 *
 * @example
 * ```ts
 * const telemetry = await startTelemetry({ prometheus: { port: 9464 } });
 * if (telemetry.ok) console.log(`metrics at ${telemetry.url}`);
 * await telemetry.shutdown();
 * ```
 */
export type Telemetry =
  | { readonly ok: true; readonly url: string; shutdown(): Promise<void> }
  | { readonly ok: false; readonly error: string; shutdown(): Promise<void> };

/**
 * The port registered for the OpenTelemetry Prometheus exporter.
 *
 * @example
 * ```ts
 * await startTelemetry({ prometheus: { port: DEFAULT_PROMETHEUS_PORT } }); // http://localhost:9464/metrics
 * ```
 */
export const DEFAULT_PROMETHEUS_PORT = 9464;

/**
 * Registers a global MeterProvider (via `@opentelemetry/sdk-node`) whose reader is a Prometheus
 * exporter, so every monitor's metrics (and any other `@opentelemetry/api` metrics of the host)
 * can be scraped. Never rejects: if the optional packages are missing or the port is taken, it
 * resolves `{ok: false, error}` and says so once through the logger (or a process warning).
 *
 * @example
 * ```ts
 * import { createMonitor, startTelemetry } from '@factorywatch/sdk';
 *
 * const telemetry = await startTelemetry({ prometheus: { port: 9464 }, serviceName: 'scorer' });
 * const monitor = createMonitor({ endpoint, token, model: 'flight-delay', version: '3' });
 * // curl http://localhost:9464/metrics  →  factorywatch_sdk_predictions_total{model="flight-delay",...}
 * ```
 */
export async function startTelemetry(options: TelemetryOptions = {}): Promise<Telemetry> {
  const port = options.prometheus?.port ?? DEFAULT_PROMETHEUS_PORT;
  const host = options.prometheus?.host;
  const endpoint = options.prometheus?.endpoint ?? '/metrics';
  const fail = (error: string): Telemetry => {
    report(options.logger, `[factorywatch/sdk] telemetry not started: ${error}`);
    return { ok: false, error, shutdown: () => Promise.resolve() };
  };
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return fail(`prometheus.port must be an integer 0-65535, got ${port}`);

  let modules: [
    typeof import('@opentelemetry/sdk-node'),
    typeof import('@opentelemetry/exporter-prometheus'),
  ];
  try {
    modules = await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/exporter-prometheus'),
    ]);
  } catch (error) {
    return fail(
      `${messageOf(error)}; install the optional peers: npm install @opentelemetry/sdk-node@~0.223.0 @opentelemetry/exporter-prometheus@~0.223.0`,
    );
  }
  const [{ NodeSDK }, { PrometheusExporter }] = modules;

  try {
    let exporter: InstanceType<typeof PrometheusExporter> | undefined;
    const started = new Promise<Error | undefined>((resolve) => {
      // The exporter starts its HTTP server in the constructor and reports the outcome here.
      exporter = new PrometheusExporter({ port, host, endpoint }, (error) => resolve(error ?? undefined));
    });
    const serverError = await started;
    if (serverError !== undefined || exporter === undefined) {
      return fail(`the Prometheus endpoint could not listen on port ${port}: ${messageOf(serverError)}`);
    }
    const sdk = new NodeSDK({
      metricReaders: [exporter],
      // Metrics only: an empty list keeps NodeSDK from configuring trace and log exporters from its defaults.
      spanProcessors: [],
      logRecordProcessors: [],
      textMapPropagator: null,
      instrumentations: [],
      serviceName: options.serviceName,
    });
    sdk.start();
    let stopped: Promise<void> | undefined;
    return {
      ok: true,
      url: `http://${host ?? 'localhost'}:${port}${endpoint}`,
      shutdown: () =>
        (stopped ??= sdk
          .shutdown()
          .catch((error: unknown) =>
            report(options.logger, `[factorywatch/sdk] telemetry shutdown: ${messageOf(error)}`),
          )
          // Unregister so a later startTelemetry (or the host's own SDK) can register again.
          .finally(() => metrics.disable())),
    };
  } catch (error) {
    return fail(messageOf(error));
  }
}

function report(logger: Logger | undefined, message: string): void {
  try {
    if (logger !== undefined) logger.warn(message);
    else process.emitWarning(message, { type: 'FactorywatchWarning', code: 'FACTORYWATCH_TELEMETRY' });
  } catch {
    /* nothing left to tell */
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
