/**
 * `factorywatch token create|revoke|list`: works on `<dataDir>/tokens.json` directly, so it
 * works whether or not a collector runs (a running one picks the change up within a second
 * and records it in the audit trail; a stopped one records it at its next start).
 */
import { dataDirFrom, describeError, policiesDirFlag, println, type CliIo } from './cli-io.js';
import { parseCommandArgs } from '../cli/args.js';
import { policiesDirOf, readPolicyFiles } from './policy-files.js';
import { parsePolicyText, rolesOf } from './policy-text.js';
import { TokenStore, tokensPath } from './tokens.js';

const USAGE = `usage:
  factorywatch token create --subject S --role R [--tenant T] [--data-dir D]
  factorywatch token revoke ID|TOKEN [--data-dir D]
  factorywatch token list [--json] [--data-dir D]`;

/** Runs `token …`; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function runTokenCli(args: string[], io: CliIo): Promise<number> {
  const argv = args[0] === 'token' ? args.slice(1) : args;
  const parsed = parseCommandArgs(
    {
      args: argv,
      allowPositionals: true,
      options: {
        subject: { type: 'string' },
        role: { type: 'string' },
        tenant: { type: 'string' },
        'data-dir': { type: 'string' },
        'policies-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (command === undefined) {
    println(io.stderr, USAGE);
    return 2;
  }
  const dataDir = dataDirFrom(values['data-dir']);
  try {
    const store = new TokenStore(tokensPath(dataDir));
    if (command === 'create') {
      if (!values.subject || !values.role || rest.length > 0) {
        println(io.stderr, `token create needs --subject and --role.\n${USAGE}`);
        return 2;
      }
      const { policyText, source } = readPolicyFiles(
        policiesDirOf(policiesDirFlag(values['policies-dir'])),
        dataDir,
      );
      const roles = rolesOf(parsePolicyText(policyText));
      if (!roles.includes(values.role)) {
        println(
          io.stderr,
          `Unknown role "${values.role}": the policy in force (${source}) has ${roles.join(', ')}.`,
        );
        return 1;
      }
      const { secret, token } = store.create({
        subject: values.subject,
        role: values.role,
        ...(values.tenant ? { tenant: values.tenant } : {}),
      });
      println(io.stdout, secret);
      println(
        io.stderr,
        `Created ${token.id} for ${token.subject} (role ${token.role}, tenant ${token.tenant}). The token above is shown once: store it now.`,
      );
      return 0;
    }
    if (command === 'revoke') {
      const target = rest[0];
      if (target === undefined || rest.length > 1) {
        println(io.stderr, `token revoke needs one token id or token.\n${USAGE}`);
        return 2;
      }
      const revoked = store.revoke(target);
      if (!revoked) {
        println(io.stderr, 'No active token matches (already revoked, or unknown id).');
        return 1;
      }
      println(io.stdout, `revoked ${revoked.id} (${revoked.subject})`);
      return 0;
    }
    if (command === 'list') {
      const tokens = store.list();
      if (values.json) println(io.stdout, JSON.stringify(tokens));
      else {
        println(io.stdout, ['ID', 'SUBJECT', 'ROLE', 'TENANT', 'CREATED', 'REVOKED'].join('\t'));
        for (const t of tokens)
          println(io.stdout, [t.id, t.subject, t.role, t.tenant, t.createdAt, t.revokedAt ?? '-'].join('\t'));
      }
      return 0;
    }
    println(io.stderr, `Unknown token command "${command}".\n${USAGE}`);
    return 2;
  } catch (error) {
    println(io.stderr, describeError(error));
    return 1;
  }
}
