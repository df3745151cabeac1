import { afterAll, describe, expect, it } from 'vitest';
import { CHAIN_MARK, chain } from '../../../src/commands/chain.js';
import { raw, read, script, write } from '../../../src/shell/command.js';
import { splitChainOutput } from '../../../src/facts/chain.js';
import { renders, sandbox } from './table.js';

const say = (text: string) => write(['printf', '%s\\n', text], { description: `say ${text}` });
const fail = (code: number) => write([raw(`echo failing >&2; exit ${code}`)], { description: `fail ${code}` });

describe('chain command', () => {
  renders([
    [
      'each command in its own subshell, its status marked on both streams, a failure ends the chain with it',
      () =>
        chain([
          { step: 'a', commands: [say('one'), say('two')] },
          { step: 'b', commands: [say('three')] },
        ]),
      `_deploy_s=0; ( printf '%s\\n' one ); _deploy_s=$?; printf '\\036deploy:done %s\\n' "$_deploy_s"; printf '\\036deploy:done %s\\n' "$_deploy_s" >&2 ; if [ "$_deploy_s" -eq 0 ] ; then ( printf '%s\\n' two ); _deploy_s=$?; printf '\\036deploy:done %s\\n' "$_deploy_s"; printf '\\036deploy:done %s\\n' "$_deploy_s" >&2 ; fi ; [ "$_deploy_s" -eq 0 ] || exit "$_deploy_s"; ( printf '%s\\n' three ); _deploy_s=$?; printf '\\036deploy:done %s\\n' "$_deploy_s"; printf '\\036deploy:done %s\\n' "$_deploy_s" >&2 ; [ "$_deploy_s" -eq 0 ] || exit "$_deploy_s";`,
      'write',
    ],
    [
      'a pure command (Command.pure, no cwd or env) runs in the chain shell itself: in braces when it needs grouping',
      () =>
        chain([
          {
            step: 'a',
            commands: [
              write(['tar', '-x', '-f', 'a.tar'], { pure: true }),
              write(['ln', '-s', 'a', 'b', raw('&&'), 'mv', 'b', 'c'], { pure: true }),
              write(['tar', '-x', '-f', 'a.tar'], { pure: true, cwd: '/srv' }),
            ],
          },
        ]),
      `_deploy_s=0; tar -x -f a.tar ; _deploy_s=$?; printf '\\036deploy:done %s\\n' "$_deploy_s"; printf '\\036deploy:done %s\\n' "$_deploy_s" >&2 ; if [ "$_deploy_s" -eq 0 ] ; then { ln -s a b && mv b c ; } ; _deploy_s=$?; printf '\\036deploy:done %s\\n' "$_deploy_s"; printf '\\036deploy:done %s\\n' "$_deploy_s" >&2 ; if [ "$_deploy_s" -eq 0 ] ; then ( ( cd /srv && tar -x -f a.tar ) ); _deploy_s=$?; printf '\\036deploy:done %s\\n' "$_deploy_s"; printf '\\036deploy:done %s\\n' "$_deploy_s" >&2 ; fi ; fi ; [ "$_deploy_s" -eq 0 ] || exit "$_deploy_s";`,
      'write',
    ],
  ]);

  it('is a read only when every command is', () => {
    expect(chain([{ step: 'a', commands: [read(['true'])] }]).effect).toBe('read');
    expect(chain([{ step: 'a', commands: [read(['true']), say('x')] }]).effect).toBe('write');
  });

  it('says what it carries, and keeps its parts for the reporting and the failpoints', () => {
    const c = chain([
      { step: 'a', commands: [say('one')] },
      { step: 'b', commands: [say('two')], goOn: true },
    ]);
    expect(c.description).toBe('say one, then say two');
    expect(c.chain?.map((p) => [p.step, p.commands.length, p.goOn ?? false])).toEqual([
      ['a', 1, false],
      ['b', 1, true],
    ]);
  });

  it('refuses an empty chain, an empty part and a chain inside a chain', () => {
    expect(() => chain([])).toThrow(/no parts/);
    expect(() => chain([{ step: 'a', commands: [] }])).toThrow(/without commands/);
    expect(() => chain([{ step: 'a', commands: [chain([{ step: 'b', commands: [say('x')] }])] }])).toThrow(/inside a chain/);
  });
});

describe('chain command on a real shell', () => {
  const box = sandbox();
  afterAll(box.cleanup);

  it('marks every command, output without a final newline included, and ends with the first failure', () => {
    const r = box.run(
      chain([
        { step: 'a', commands: [say('one'), write([raw("printf 'no newline'")])] },
        { step: 'b', commands: [fail(3), say('never')] },
        { step: 'c', commands: [say('never either')] },
      ]),
    );
    expect(r.code).toBe(3);
    expect(splitChainOutput(r.stdout)).toEqual(['one\n', 'no newline', '', '']);
    expect(splitChainOutput(r.stderr)).toEqual(['', '', 'failing\n', '']);
    expect(r.stdout).toBe(`one\n${CHAIN_MARK} 0\nno newline${CHAIN_MARK} 0\n${CHAIN_MARK} 3\n`);
  });

  it('a part that goes on skips its own rest and runs the next part; the chain then ends with 0', () => {
    const r = box.run(
      chain([
        { step: 'a', commands: [fail(5), say('skipped')], goOn: true },
        { step: 'b', commands: [say('runs')] },
      ]),
    );
    expect(r.code).toBe(0);
    expect(splitChainOutput(r.stdout)).toEqual(['', 'runs\n', '']);
  });

  it('pure commands report their own status and output, and start no subshell', () => {
    const pure = (text: string, code: number) => write([raw(`echo ${text} && (exit ${code})`)], { pure: true });
    const r = box.run(chain([{ step: 'a', commands: [pure('one', 0), pure('two', 4), pure('never', 0)] }]));
    expect(r.code).toBe(4);
    expect(splitChainOutput(r.stdout)).toEqual(['one\n', 'two\n', '']);
    // $BASHPID/$$ cannot tell a subshell in dash; a variable set by a pure command is seen after it.
    const shared = box.run(chain([{ step: 'a', commands: [write([raw('v=set')], { pure: true }), write([raw('echo "v=$v"')])] }]));
    expect(splitChainOutput(shared.stdout)).toEqual(['', 'v=set\n', '']);
  });

  it('keeps `exit`, `cd` and `set -e` of one command to itself, and a snippet runs as its own sh', () => {
    const r = box.run(
      chain([
        { step: 'a', commands: [write([raw('cd / && exit 0')]), script('set -e; false; echo not reached')] },
        { step: 'b', commands: [write(['pwd'])] },
      ]),
    );
    expect(r.code).toBe(1);
    expect(splitChainOutput(r.stdout)).toEqual(['', '', '']);
    const ok = box.run(
      chain([
        { step: 'a', commands: [write([raw('cd /')])] },
        { step: 'b', commands: [write(['pwd'], { cwd: box.dir })] },
      ]),
    );
    expect(splitChainOutput(ok.stdout)).toEqual(['', `${box.dir}\n`, '']);
  });
});
