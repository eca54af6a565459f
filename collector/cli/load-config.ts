/** Reads the config file, environment and flags, and resolves them into one Config. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { envName, resolveConfig, SCALAR_OPTIONS, type Config, type ScalarOption } from '../config/config.js';
import { FactorywatchError } from '../errors.js';

/** parseArgs options for `--config` and every scalar flag of SCALAR_OPTIONS. */
export const CONFIG_FLAG_OPTIONS = {
  config: { type: 'string' },
  ...Object.fromEntries(Object.keys(SCALAR_OPTIONS).map((name) => [name, { type: 'string' }])),
} as Record<string, { type: 'string' }>;

/** Parses `args` as config flags and resolves the configuration (file from --config or FACTORYWATCH_CONFIG). */
export function loadConfig(args: string[], env: NodeJS.ProcessEnv = process.env): Config {
  const { values } = parseArgs({ args, options: CONFIG_FLAG_OPTIONS, strict: true, allowPositionals: false });
  const path = (values.config as string | undefined) ?? env.FACTORYWATCH_CONFIG;
  const file = path === undefined ? undefined : readConfigFile(path);
  const flags: Partial<Record<ScalarOption, string>> = {};
  for (const name of Object.keys(SCALAR_OPTIONS) as ScalarOption[]) {
    const value = values[name];
    if (typeof value === 'string') flags[name] = value;
  }
  return resolveConfig({ file, env, flags });
}

/** A YAML or JSON config file (JSON is YAML). */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FactorywatchError(
      'CONFIG_INVALID',
      `Cannot read the config file ${path}: ${(error as Error).message}`,
      path,
    );
  }
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    throw new FactorywatchError(
      'CONFIG_INVALID',
      `The config file ${path} is not valid YAML/JSON: ${(error as Error).message}`,
      path,
    );
  }
}

/** The options `start` and `demo` take, for `--help`. */
export function configFlagsUsage(command: string): string {
  const flags = Object.keys(SCALAR_OPTIONS)
    .map((name) => `  --${name.padEnd(18)} or ${envName(name)}`)
    .join('\n');
  return `usage: factorywatch ${command} [--config FILE] [options]

  --config FILE        a YAML or JSON config file (or FACTORYWATCH_CONFIG)
${flags}

Later sources win: defaults < config file < environment < flags. See README, "Configuration".
`;
}
