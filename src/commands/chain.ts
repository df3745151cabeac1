import { grouped, raw, shareable, write, type ChainPart, type Command, type Token } from '../shell/command.js';
import { ifThen } from './sh.js';

/** Printed on stdout and on stderr after each command of a chain, with its exit status (see `chain`). */
export const CHAIN_MARK = '\x1edeploy:done';
const MARK_FORMAT = '\\036deploy:done %s\\n';

const status = '"$_deploy_s"';

/** `( c ); _deploy_s=$?; <mark>`, or `{ c; }` for a pure command: it runs in the chain's own shell, a fork less. */
const run = (c: Command): Token[] => [
  ...(shareable(c) ? [...grouped(c), raw(';')] : [raw('('), ...grouped(c), raw(');')]),
  raw('_deploy_s=$?;'),
  'printf',
  MARK_FORMAT,
  raw(`${status};`),
  'printf',
  MARK_FORMAT,
  raw(`${status} >&2`),
];

/** The part's commands in order, each only when the one before succeeded. */
function part(commands: readonly Command[]): Token[] {
  const [first, ...rest] = commands;
  if (!first) throw new Error('chain: a part without commands');
  if (rest.length === 0) return run(first);
  return [...run(first), raw(';'), ...ifThen([raw(`[ ${status} -eq 0 ]`)], part(rest))];
}

/**
 * Several steps' commands on one host in one round trip: each command in its own subshell, in order, and after
 * each its exit status, marked (CHAIN_MARK) on stdout and on stderr, so that the client reports every command as
 * its own, with its own output, exit status and duration (tasks/chain.ts). A failed command ends the chain with its
 * status, unless its part goes on (`goOn`): then the rest of that part is skipped and the next part runs.
 */
export function chain(parts: readonly ChainPart[]): Command {
  if (parts.length === 0) throw new Error('chain: no parts');
  const commands = parts.flatMap((p) => p.commands);
  for (const c of commands) if (c.chain) throw new Error('chain: a chain inside a chain');
  const tokens: Token[] = [raw('_deploy_s=0;')];
  for (const p of parts) {
    tokens.push(...part(p.commands), raw(';'));
    tokens.push(raw(p.goOn ? '_deploy_s=0;' : `[ ${status} -eq 0 ] || exit ${status};`));
  }
  const c = write(tokens, {
    description: commands.map((x) => x.description ?? 'a command').join(', then '),
  });
  const effect = commands.every((x) => x.effect === 'read') ? 'read' : 'write';
  return Object.freeze({ ...c, effect, chain: Object.freeze(parts.map((p) => Object.freeze({ ...p }))) });
}
