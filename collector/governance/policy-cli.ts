/** `factorywatch policy check FILE`: the checks of PUT /v1/policies, offline. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirFrom, describeError, policiesDirFlag, println, type CliIo } from './cli-io.js';
import { parseCommandArgs } from '../cli/args.js';
import { evaluatorFor } from './evaluator.js';
import { checkPolicy } from './policy-checks.js';
import { policiesDirOf } from './policy-files.js';
import { parsePolicyText, rolesOf } from './policy-text.js';
import { TokenStore, tokensPath } from './tokens.js';

const USAGE =
  'usage: factorywatch policy check FILE [--policies-dir D] [--data-dir D (also check the active tokens)] [--json]';

/** Runs `policy check`; exits 0 when the policy may be swapped in, 1 with every problem listed otherwise. */
export async function runPolicyCli(args: string[], io: CliIo): Promise<number> {
  const argv = args[0] === 'policy' ? args.slice(1) : args;
  const parsed = parseCommandArgs(
    {
      args: argv,
      allowPositionals: true,
      options: {
        'policies-dir': { type: 'string' },
        'data-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    },
    USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const [command, file, ...rest] = parsed.positionals;
  if (command !== 'check' || file === undefined || rest.length > 0) {
    println(io.stderr, USAGE);
    return 2;
  }
  try {
    const modelText = readFileSync(
      join(policiesDirOf(policiesDirFlag(parsed.values['policies-dir'])), 'model.conf'),
      'utf8',
    );
    const policy = parsePolicyText(readFileSync(file, 'utf8'));
    const evaluator = await evaluatorFor(modelText, policy);
    const tokens = parsed.values['data-dir']
      ? new TokenStore(tokensPath(dataDirFrom(parsed.values['data-dir']))).active()
      : undefined;
    const problems = checkPolicy(policy, evaluator, tokens);
    if (parsed.values.json)
      println(
        io.stdout,
        JSON.stringify({ ok: problems.length === 0, hash: policy.hash, roles: rolesOf(policy), problems }),
      );
    else if (problems.length === 0)
      println(
        io.stdout,
        `ok: ${file} (sha256 ${policy.hash}, ${policy.rules.length} rules, roles ${rolesOf(policy).join(', ')})`,
      );
    else for (const p of problems) println(io.stderr, `POLICY_INVALID ${p.path}: ${p.message}`);
    return problems.length === 0 ? 0 : 1;
  } catch (error) {
    if (parsed.values.json)
      println(
        io.stdout,
        JSON.stringify({
          ok: false,
          problems: [{ path: (error as { path?: string }).path ?? '/', message: (error as Error).message }],
        }),
      );
    else println(io.stderr, describeError(error));
    return 1;
  }
}
