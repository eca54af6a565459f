/**
 * The server's release, read once with `SELECT version()`, and the features chosen from it up
 * front, so no query path branches on the version later.
 */

/** A ClickHouse release as major.minor.patch (18.16.1, 24.8.4, …). */
export interface ServerVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly text: string;
}

/** What this server can do that 18.16 (Debian bookworm's) cannot. */
export interface ServerFeatures {
  /** `{name:Type}` placeholders bound server-side (`param_name`), 19.15+. */
  readonly queryParameters: boolean;
  /** Column compression codecs (`CODEC(Delta, ZSTD)`), 19.10+ in our use (Gorilla/DoubleDelta). */
  readonly codecs: boolean;
  /** Table TTL, 19.6+; `ttl_only_drop_parts` (whole-part expiry) needs 20.3+, so we gate on that. */
  readonly ttl: boolean;
  /** `DateTime64(3)` and `fromUnixTimestamp64Milli`, 20.5+. */
  readonly dateTime64: boolean;
  /** LowCardinality without the experimental switch, 19.3+; older servers need the switch on CREATE. */
  readonly lowCardinalityStable: boolean;
  /** `input_format_parallel_parsing` exists (19.15+) and must be off to keep one INSERT one part. */
  readonly parallelParsingSetting: boolean;
}

/** Parses `version()` output such as `18.16.1` or `24.8.4.13`. */
export function parseServerVersion(text: string): ServerVersion {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!match) throw new Error(`unrecognised ClickHouse version "${text}"`);
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3] ?? 0),
    text: text.trim(),
  };
}

/** True when `version` is at least major.minor. */
export function atLeast(version: ServerVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/** The features of a release. */
export function featuresOf(version: ServerVersion): ServerFeatures {
  return {
    queryParameters: atLeast(version, 19, 15),
    codecs: atLeast(version, 19, 10),
    ttl: atLeast(version, 20, 3),
    dateTime64: atLeast(version, 20, 5),
    lowCardinalityStable: atLeast(version, 19, 3),
    parallelParsingSetting: atLeast(version, 19, 15),
  };
}
