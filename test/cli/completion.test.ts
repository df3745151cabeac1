import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cliPath, repoRoot, run } from './support.js';

const exec = promisify(execFile);

/** A shell with `deploy` on its PATH, in a project whose deploy.yml is deploy.example.yml. */
const project = mkdtempSync(join(tmpdir(), 'deploy-completion-'));
copyFileSync(join(repoRoot, 'deploy.example.yml'), join(project, 'deploy.yml'));
symlinkSync(cliPath, join(project, 'deploy'));

/** What bash's programmable completion offers for these words (COMP_WORDS as bash splits them, last one completed). */
async function complete(...words: string[]): Promise<string[]> {
  const script = 'source <(deploy completion bash); COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _deploy; printf "%s\\n" "${COMPREPLY[@]}"';
  const r = await exec('bash', ['-c', script, 'bash', 'deploy', ...words], {
    cwd: project,
    env: { PATH: `${project}:${process.env.PATH}`, HOME: project },
  });
  return r.stdout.split('\n').filter(Boolean);
}

/** What fish's own completion engine (`complete -C`) offers for the command line `deploy <line>`. */
async function completeFish(line: string): Promise<string[]> {
  const script = 'deploy completion fish | source; complete -C"deploy $argv"';
  const r = await exec('fish', ['--no-config', '-c', script, line], {
    cwd: project,
    env: { PATH: `${project}:${process.env.PATH}`, HOME: project },
  });
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0]!);
}

/**
 * What zsh's completion system offers when `deploy <line>` and Tab are typed into an interactive zsh (on a pty,
 * after compinit): compadd is wrapped to write the matches it is given to a file and then say so on the terminal,
 * which the reader waits for (zpty -r with a pattern; the call's timeout bounds it).
 */
async function completeZsh(line: string): Promise<string[]> {
  const out = join(mkdtempSync(join(tmpdir(), 'deploy-zsh-')), 'matches');
  const script = `out=$1; shift
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1=''; autoload -U compinit; compinit -u -D; source <(deploy completion zsh)"
zpty -w z "compadd() { local -a hits; builtin compadd -A hits \\"\\$@\\"; print -rl -- \\$hits > $out; print -n -- '<matches'' written>'; }"
zpty -w -n z "deploy $*"$'\\t'
zpty -r z _ '*<matches written>*'
zpty -d z
[[ -e $out ]] && cat $out`;
  const r = await exec('zsh', ['-f', '-c', script, 'zsh', out, line], {
    timeout: 60_000,
    cwd: project,
    env: { PATH: `${project}:${process.env.PATH}`, HOME: project },
  });
  return r.stdout.split('\n').filter(Boolean);
}

describe('deploy completion', () => {
  it('prints a script for bash, zsh and fish, and refuses another shell', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await run(['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`deploy __complete ${shell} --`);
    }
    const bad = await run(['completion', 'tcsh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Allowed choices are bash, zsh, fish');
  });

  // Each case starts bash and the CLI (node): they run side by side, with time for a loaded machine.
  it('bash completes verbs and stages, hosts, roles and tasks from ./deploy.yml', { timeout: 120_000 }, async () => {
    const cases: [string[], string[]][] = [
      [['pro'], ['promote', 'production']],
      [
        ['ssh', 'production', 'web'],
        ['web1', 'web2', 'web3', 'web4'],
      ],
      [
        ['staging', '--hosts', 'web1,'],
        ['web1,web2', 'web1,db1', 'web1,media1', 'web1,lb1'],
      ],
      [['staging', '--roles', '=', 'm'], ['media']],
      [
        ['task', 'staging', ''],
        ['backup_db', 'notify', 'page', 'node:build', 'node:prune', 'db:create', 'node:stop'],
      ],
      // bash splits `node:b` at the colon; the candidate replaces only what follows it.
      [['task', 'staging', 'node', ':', 'b'], ['build']],
      [['staging', '--dry'], ['--dry-run']],
      // After -c: no candidates, so `complete -o default` falls back to file names.
      [['plan', '-c', ''], []],
    ];
    const [first, ...rest] = await Promise.all([complete(''), ...cases.map(([words]) => complete(...words))]);
    expect(first).toEqual(expect.arrayContaining(['plan', 'rollback', 'completion', 'staging', 'production']));
    expect(rest).toEqual(cases.map(([, expected]) => expected));
  });

  // The shells' own completion machinery, driven as a user would: a verb, a stage, the hosts of a stage, a host list.
  const shellCases: [string, string[]][] = [
    ['pl', ['plan']],
    ['pro', ['production', 'promote']],
    ['ssh production web', ['web1', 'web2', 'web3', 'web4']],
    ['staging --hosts web1,', ['web1,db1', 'web1,lb1', 'web1,media1', 'web1,web2']],
  ];

  it('fish completes a verb, a stage and hosts from ./deploy.yml', { timeout: 120_000 }, async () => {
    const got = await Promise.all(shellCases.map(([line]) => completeFish(line)));
    expect(got.map((c) => [...c].sort())).toEqual(shellCases.map(([, expected]) => expected));
  });

  it('zsh completes a verb, a stage and hosts from ./deploy.yml', { timeout: 120_000 }, async () => {
    const got = await Promise.all(shellCases.map(([line]) => completeZsh(line)));
    expect(got.map((c) => [...c].sort())).toEqual(shellCases.map(([, expected]) => expected));
  });
});
