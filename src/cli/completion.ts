import { Argument, type Command } from 'commander';
import type { CliSpec } from '../tasks/completion.js';
import { lazy, out, type Done } from './common.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

// Each script asks `deploy __complete <shell> -- <words after deploy, the last one being completed>` for candidates,
// one a line; none means "a file name" (the value of -c), which the shell then completes itself.
const SCRIPTS: Record<Shell, string> = {
  bash: `# deploy completion for bash: source <(deploy completion bash), e.g. in ~/.bashrc
_deploy() {
  local IFS=$'\\n'
  COMPREPLY=($(deploy __complete bash -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _deploy deploy
`,
  zsh: `#compdef deploy
# deploy completion for zsh: source <(deploy completion zsh), e.g. in ~/.zshrc after compinit
_deploy() {
  local -a candidates
  candidates=("\${(@f)$(deploy __complete zsh -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=(\${candidates:#})
  if (( \${#candidates} )); then compadd -Q -- "\${candidates[@]}"; else _files; fi
}
compdef _deploy deploy
`,
  fish: `# deploy completion for fish: deploy completion fish > ~/.config/fish/completions/deploy.fish
function __deploy_complete
    deploy __complete fish -- (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null
end
complete -c deploy -f -a '(__deploy_complete)'
complete -c deploy -s c -l config -r -F
`,
};

/** The verbs and flags of the program as data, for tasks/completion.ts. */
export function specOf(program: Command): CliSpec {
  const help = program.createHelp();
  const listed = new Set(help.visibleCommands(program).map((c) => c.name()));
  return {
    // `deploy` itself is hidden from help (a stage stands in its place) but its flags are the ones after a stage.
    verbs: program.commands
      .filter((c) => listed.has(c.name()) || c.name() === 'deploy')
      .map((c) => ({
        name: c.name(),
        args: c.registeredArguments.map((a) => `${a.name()}${a.variadic ? '...' : ''}`),
        options: help
          .visibleOptions(c)
          .map((o) => ({ flags: [o.short, o.long].filter((f): f is string => f !== undefined), takesValue: o.required || o.optional })),
      })),
    defaultVerb: 'deploy',
    programOptions: help.visibleOptions(program).flatMap((o) => (o.long ? [o.long] : [])),
  };
}

export function registerCompletion(program: Command, done: Done): void {
  program
    .command('completion')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .description(
      'print a completion script (verbs, flags, and the stages, hosts, roles and tasks of ./deploy.yml): source <(deploy completion bash)',
    )
    .action((shell: Shell) => {
      out(SCRIPTS[shell].trimEnd());
    });

  program
    .command('__complete', { hidden: true })
    .addArgument(new Argument('<shell>').choices(SHELLS))
    .argument('[words...]')
    .helpOption(false)
    .action(lazy(done, async () => (await import('./actions/completion.js')).complete));
}
