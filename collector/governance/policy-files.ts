/** Where the policy files live: the shipped policies/ folder, a configured one, and the active policy in the data dir. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The policies/ folder shipped with factorywatch, found upwards from this module (works from src and dist). */
export function shippedPoliciesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'policies', 'model.conf'))) return join(dir, 'policies');
    dir = dirname(dir);
  }
  throw new Error(
    'The policies/ folder (model.conf, policy.csv, audit.yaml) was not found next to factorywatch.',
  );
}

/** The configured policies folder, or the shipped one. */
export function policiesDirOf(configured: string): string {
  return configured === '' ? shippedPoliciesDir() : resolve(configured);
}

/** The policy accepted by `PUT /v1/policies`, persisted so it survives restarts. */
export function activePolicyPath(dataDir: string): string {
  return join(dataDir, 'policy.csv');
}

/** The model text and the policy in force: the data dir's active policy if any, else the default. */
export function readPolicyFiles(
  policiesDir: string,
  dataDir: string,
): { modelText: string; policyText: string; source: string } {
  const modelText = readFileSync(join(policiesDir, 'model.conf'), 'utf8');
  const active = activePolicyPath(dataDir);
  const source = existsSync(active) ? active : join(policiesDir, 'policy.csv');
  return { modelText, policyText: readFileSync(source, 'utf8'), source };
}
