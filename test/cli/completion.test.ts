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
  const r = await exec('bash', ['-c', script, 'bash', 'deploy', ...words], { cwd: project, env: { PATH: `${project}:${process.env.PATH}`, HOME: project } });
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
    expect(bad.stderr).toContain("Allowed choices are bash, zsh, fish");
  });

  it('bash completes verbs and stages, hosts, roles and tasks from ./deploy.yml', async () => {
    expect(await complete('')).toEqual(expect.arrayContaining(['plan', 'rollback', 'completion', 'staging', 'production']));
    expect(await complete('pro')).toEqual(['production']);
    expect(await complete('ssh', 'production', 'web')).toEqual(['web1', 'web2', 'web3', 'web4']);
    expect(await complete('staging', '--hosts', 'web1,')).toEqual(['web1,web2', 'web1,db1', 'web1,media1', 'web1,lb1']);
    expect(await complete('staging', '--roles', '=', 'm')).toEqual(['media']);
    expect(await complete('task', 'staging', '')).toEqual(['backup_db', 'notify', 'node:build', 'node:stop']);
    // bash splits `node:b` at the colon; the candidate replaces only what follows it.
    expect(await complete('task', 'staging', 'node', ':', 'b')).toEqual(['build']);
    expect(await complete('staging', '--dry')).toEqual(['--dry-run']);
    // After -c: no candidates, so `complete -o default` falls back to file names.
    expect(await complete('plan', '-c', '')).toEqual([]);
  });
});
