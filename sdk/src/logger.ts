/**
 * Where the SDK reports what went wrong. It never throws into its host, so problems (bad inputs,
 * a collector that refuses records, a misconfiguration) are counted and told to this logger, once
 * per kind of problem, so a hot loop of bad calls cannot flood the host's logs.
 */

/**
 * The logger the SDK writes to: pino, winston, bunyan and `console` all fit. Messages are whole
 * strings (no format arguments), so every logger prints them the same way.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const monitor = createMonitor({ ...options, logger: pino() });
 * // or: createMonitor({ ...options, logger: console });
 * ```
 */
export interface Logger {
  warn(message: string): void;
  error?(message: string): void;
}

/** At most this many distinct problem kinds are remembered; past it, new kinds are counted but not logged. */
const MAX_REMEMBERED_KINDS = 256;

/**
 * Logs each kind of problem once. The kind is a short stable key (e.g. `prediction:features/x:type`);
 * the set of seen kinds is capped so a stream of ever-new keys cannot grow memory.
 */
export class OnceLogger {
  private readonly seen = new Set<string>();

  constructor(
    private readonly logger: Logger | undefined,
    private readonly prefix = '[factorywatch/sdk] ',
  ) {}

  /** Writes `message` at warn level the first time `kind` is seen. */
  warnOnce(kind: string, message: string): void {
    if (this.logger === undefined || this.seen.has(kind) || this.seen.size >= MAX_REMEMBERED_KINDS) return;
    this.seen.add(kind);
    this.write('warn', message);
  }

  /** Writes `message` at error level the first time `kind` is seen (warn if the logger has no error). */
  errorOnce(kind: string, message: string): void {
    if (this.logger === undefined || this.seen.has(kind) || this.seen.size >= MAX_REMEMBERED_KINDS) return;
    this.seen.add(kind);
    this.write('error', message);
  }

  private write(level: 'warn' | 'error', message: string): void {
    // A logger that throws must not take the host down with it.
    try {
      const logger = this.logger;
      if (logger === undefined) return;
      if (level === 'error' && typeof logger.error === 'function') logger.error(this.prefix + message);
      else logger.warn(this.prefix + message);
    } catch {
      /* the host's logger failed: nothing sensible left to report to */
    }
  }
}
