import type { Command } from 'commander';
import { lazy, stageVerb, type Done } from './common.js';

export function registerRun(program: Command, done: Done): void {
  stageVerb(
    program
      .command('run')
      .argument('<stage>', 'the stage')
      .argument('<command...>', 'after --: one argument is a shell snippet; several are a program and its arguments')
      .description(
        'run an ad-hoc command on the selected hosts (in current/; a host that holds releases but has none fails); output grouped per host',
      )
      .usage('<stage> [--roles r] [--hosts h] -- <snippet> | <program> [args...]')
      .addHelpText(
        'after',
        `
One argument after -- is a shell snippet, run as written by the remote shell (pipes, ;, $VARS, globs):
  deploy run staging -- 'ls releases | wc -l'
Several arguments are one program and its arguments, each passed as it is, as execve would take them: nothing in
them means anything to the remote shell.
  deploy run staging -- printf '[%s]\\n' 'a b' 'x; touch /tmp/nothing'   # prints [a b] and [x; touch /tmp/nothing]`,
      ),
  ).action(lazy(done, async () => (await import('./actions/run.js')).run));
}
