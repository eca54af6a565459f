/** The collector's version, from package.json. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'factorywatch' && pkg.version) return pkg.version;
    } catch {
      // Not at this depth: source runs from collector/, the build from dist/collector/.
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
