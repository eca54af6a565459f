/**
 * One benchmark case. Each bench/*.bench.ts file exports `cases`; `npm run bench` runs them all,
 * or `--only NAME[,NAME]`, printing one JSON line per case with `--json`.
 */
export interface BenchCase {
  readonly name: string;
  /** What is measured, one line. */
  readonly description: string;
  /** Runs the case and returns its figures (times in ms, rates per second, ratios). */
  run(): Promise<Record<string, number | string>>;
}
