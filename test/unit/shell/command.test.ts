import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { and, cmd, or, pipe, raw, read, render, script, secretsOf, seq, write, type Command } from '../../../src/shell/command.js';
import { maskSecrets, Sensitive } from '../../../src/shell/sensitive.js';
import { hostileString, SHELLS, shellNulSplit } from './hostile.js';

const secret = new Sensitive("s3cr'et $HOME", 'DB_PASSWORD');

describe('render', () => {
  const cases: [string, Command, string, string?][] = [
    ['quotes every string token', write(['echo', 'a b', "it's", '']), `echo 'a b' 'it'\\''s' ''`],
    ['leaves Raw verbatim', write(['echo', raw('$HOME'), raw('>'), '/tmp/x y']), `echo $HOME > '/tmp/x y'`],
    ['masks Sensitive tokens', write(['login', secret]), 'login ***', `login 's3cr'\\''et $HOME'`],
    ['prefixes cwd', write(['ls'], { cwd: '/srv/my app' }), `cd '/srv/my app' && ls`],
    ['prefixes env, cwd first', write(['env'], { cwd: '/srv', env: { A: '1', B: 'x y' } }), `cd /srv && export A=1 B='x y' && env`],
    [
      'masks a Sensitive env value',
      write(['env'], { env: { PASSWORD: secret } }),
      'export PASSWORD=*** && env',
      `export PASSWORD='s3cr'\\''et $HOME' && env`,
    ],
    ['groups a list under a cwd', write(['a', raw('||'), 'b'], { cwd: '/x' }), 'cd /x && ( a || b )'],
    [
      'runs a snippet under a cwd by its own sh; revealed, its text is a here-document, never an argument',
      script('npm ci; npm run build', { cwd: '/x' }),
      "cd /x && sh -c 'npm ci; npm run build'",
      "_deploy_snippet1() { sh -c '. /dev/fd/3' 3<<'DEPLOY_SNIPPET_END'\nexec 3<&-; npm ci; npm run build\nDEPLOY_SNIPPET_END\n}\ncd /x && _deploy_snippet1",
    ],
    [
      'keeps a comment inside its snippet',
      script('make # build it', { env: { A: '1' } }),
      "export A=1 && sh -c 'make # build it'",
      "_deploy_snippet1() { sh -c '. /dev/fd/3' 3<<'DEPLOY_SNIPPET_END'\nexec 3<&-; make # build it\nDEPLOY_SNIPPET_END\n}\nexport A=1 && _deploy_snippet1",
    ],
    [
      'ends a here-document on a line the snippet does not have',
      script('cat <<DEPLOY_SNIPPET_END\nhi\nDEPLOY_SNIPPET_END\n'),
      "sh -c 'cat <<DEPLOY_SNIPPET_END\nhi\nDEPLOY_SNIPPET_END\n'",
      "_deploy_snippet1() { sh -c '. /dev/fd/3' 3<<'DEPLOY_SNIPPET_END_2'\nexec 3<&-; cat <<DEPLOY_SNIPPET_END\nhi\nDEPLOY_SNIPPET_END\nDEPLOY_SNIPPET_END_2\n}\n_deploy_snippet1",
    ],
    [
      'puts a newline before the paren when raw text has a comment',
      write([raw('make # build it')], { env: { A: '1' } }),
      'export A=1 && ( make # build it\n)',
    ],
    ['does not group a pipe or redirections', write(['a', raw('|'), 'b', raw('2>&1')], { cwd: '/x' }), 'cd /x && a | b 2>&1'],
    [
      'runs a snippet that is one program with plain words without a sh of its own, and shows it as sh -c',
      script('systemctl restart app@1.service', { cwd: '/x' }),
      "cd /x && sh -c 'systemctl restart app@1.service'",
      'cd /x && ( exec systemctl restart app@1.service )',
    ],
    ['runs true, false and : in the shell itself', script('true'), 'sh -c true', 'true'],
    [
      'shows a bare snippet as sh -c',
      script('echo $HOME # hi'),
      "sh -c 'echo $HOME # hi'",
      "_deploy_snippet1() { sh -c '. /dev/fd/3' 3<<'DEPLOY_SNIPPET_END'\nexec 3<&-; echo $HOME # hi\nDEPLOY_SNIPPET_END\n}\n_deploy_snippet1",
    ],
  ];
  it.each(cases)('%s', (_name, command, masked, revealed = masked) => {
    expect(render(command)).toBe(masked);
    expect(render(command, 'mask')).toBe(masked);
    expect(render(command, 'reveal')).toBe(revealed);
  });

  it('keeps its own sh for a builtin, a keyword, an assignment, a leading dash, or anything quoted or expanded', () => {
    const texts = ['echo a', 'time make', 'A=1 make', '-x', "make 'a b'", 'make $X', 'make *.o', 'make ~/x', 'make # c', 'make\nmake', ''];
    const revealed = render(and(texts.map((t) => script(t))), 'reveal');
    expect(revealed).not.toContain('( exec');
    expect(revealed).toContain(`\n${texts.map((_, i) => `_deploy_snippet${i + 1}`).join(' && ')}`);
  });

  it('throws on a NUL in any string it quotes', () => {
    expect(() => render(write(['echo', 'a\0b']))).toThrow(/NUL/);
    expect(() => render(write(['echo'], { cwd: '/a\0' }))).toThrow(/NUL/);
    expect(() => render(write(['echo'], { env: { A: 'x\0' } }))).toThrow(/NUL/);
    expect(() => render(write(['echo', new Sensitive('x\0')]), 'reveal')).toThrow(/NUL/);
  });

  it('rejects an environment variable name that is not one', () => {
    expect(() => render(write(['env'], { env: { 'A B': '1' } }))).toThrow(/invalid environment variable name/);
    expect(() => render(write(['env'], { env: { '1A': '1' } }))).toThrow(/invalid environment variable name/);
  });
});

describe('Command builders', () => {
  it('marks effects', () => {
    expect(read(['ls']).effect).toBe('read');
    expect(write(['rm', 'x']).effect).toBe('write');
    expect(cmd(['x']).effect).toBe('write');
    expect(script('x').effect).toBe('write');
    expect(script('x', { effect: 'read' }).effect).toBe('read');
  });

  it('freezes commands and their tokens', () => {
    const c = write(['a']);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.tokens)).toBe(true);
  });
});

describe('combinators', () => {
  const a = read(['a']);
  const b = read(['b']);
  const c = write(['c']);
  const cases: [string, Command, string][] = [
    ['and', and([a, b, c]), 'a && b && c'],
    ['or', or([a, b]), 'a || b'],
    ['seq', seq([a, b]), 'a ; b'],
    ['pipe', pipe([a, b]), 'a | b'],
    ['groups an or inside an and', and([a, or([b, c])]), 'a && ( b || c )'],
    ['groups a seq inside an and', and([seq([a, b]), c]), '( a ; b ) && c'],
    ['groups an and inside a pipe', pipe([and([a, b]), c]), '( a && b ) | c'],
    ['leaves a pipe inside an and alone', and([pipe([a, b]), c]), 'a | b && c'],
    ['scopes a part with a cwd', and([write(['ls'], { cwd: '/x' }), c]), '( cd /x && ls ) && c'],
    ['scopes a part with env', seq([write(['env'], { env: { A: '1' } }), c]), '( export A=1 && env ) ; c'],
    ['wraps the whole with its own cwd', and([a, b], { cwd: '/x' }), 'cd /x && ( a && b )'],
    ['runs a snippet as one command', and([script('x || y'), c]), "sh -c 'x || y' && c"],
    ["keeps a snippet's comment inside it", and([script('x # note'), c]), "sh -c 'x # note' && c"],
    ['groups raw text with operators', and([write([raw('x || y')]), c]), '( x || y ) && c'],
    ['ends commented raw text on its own line', and([write([raw('x # note')]), c]), '( x # note\n) && c'],
  ];
  it.each(cases)('%s', (_name, command, expected) => expect(render(command)).toBe(expected));

  it('is a read only when every part is', () => {
    expect(and([a, b]).effect).toBe('read');
    expect(and([a, c]).effect).toBe('write');
    expect(and([a, b], { effect: 'write' }).effect).toBe('write');
  });

  it('keeps secrets typed through joins', () => {
    const joined = and([write(['login', secret]), write(['env'], { env: { T: new Sensitive('tok') } })]);
    expect(render(joined)).toBe('login *** && ( export T=*** && env )');
    expect(render(joined, 'reveal')).toBe(`login 's3cr'\\''et $HOME' && ( export T=tok && env )`);
    expect(secretsOf(joined)).toEqual(["s3cr'et $HOME", 'tok']);
  });

  it('refuses to join nothing', () => {
    expect(() => and([])).toThrow(/zero commands/);
  });
});

describe('Sensitive', () => {
  it('prints *** everywhere except reveal()', () => {
    expect(String(secret)).toBe('***');
    expect(`${secret}`).toBe('***');
    expect(JSON.stringify({ secret })).toBe('{"secret":"***"}');
    expect(inspect(secret)).toBe('***');
    expect(secret.reveal()).toBe("s3cr'et $HOME");
  });

  it('masks secret values in remote output, longest first', () => {
    expect(maskSecrets('pw=abc and abcdef', ['abc', 'abcdef', ''])).toBe('pw=*** and ***');
  });
});

/** Runs a rendered command the way a backend would: the whole string to one `sh -c`. */
const run = (shell: string, c: Command) => spawnSync(shell, ['-c', render(c, 'reveal')], { encoding: 'utf8' });

// Each sample runs real shells: on a loaded 2-core machine that can take longer than the default 5 s.
describe.each(SHELLS)('rendered commands in %s', { timeout: 60_000 }, (shell) => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'deploy-shell-')));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('pass many hostile arguments through intact', () => {
    fc.assert(
      fc.property(fc.array(hostileString, { minLength: 20, maxLength: 60 }), (args) => {
        const out = shellNulSplit(shell, render(write(['printf', '%s\\0', ...args])));
        expect(out).toEqual(args);
      }),
      { numRuns: 25 },
    );
  });

  it('pass hostile secrets in reveal mode', () => {
    fc.assert(
      fc.property(fc.array(hostileString, { minLength: 1, maxLength: 20 }), (args) => {
        const c = write(['printf', '%s\\0', ...args.map((a) => new Sensitive(a))]);
        expect(render(c)).not.toContain(args.find((a) => a.length > 3) ?? '\u0000');
        expect(shellNulSplit(shell, render(c, 'reveal'))).toEqual(args);
      }),
      { numRuns: 25 },
    );
  });

  it('enter hostile directory names and export hostile values', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(hostileString, hostileString, hostileString), { minLength: 1, maxLength: 8 }), (cases) => {
        const parts = cases.map(([name, value, secretValue]) => {
          const dir = join(base, `d${n++}-${name.replace(/\//g, '_')}`.slice(0, 200));
          mkdirSync(dir, { recursive: true });
          const probe = read(['sh', '-c', 'printf "%s\\0" "$PWD" "$V" "$S"'], {
            cwd: dir,
            env: { V: value, S: new Sensitive(secretValue) },
          });
          return { probe, expected: [dir, value, secretValue] };
        });
        const out = shellNulSplit(shell, render(seq(parts.map((p) => p.probe)), 'reveal'));
        expect(out).toEqual(parts.flatMap((p) => p.expected));
      }),
      { numRuns: 40 },
    );
    // 40 shells: more than the default 5 s on a loaded machine.
  }, 60_000);

  it('stop when cd fails, whatever the command holds', () => {
    const missing = join(base, 'no such dir');
    for (const c of [
      write(['echo', 'ran'], { cwd: missing }),
      write(['false', raw('||'), 'echo', 'ran'], { cwd: missing }),
      script('false || echo ran\necho ran', { cwd: missing }),
      write(['echo', 'ran', raw(';'), 'echo', 'ran'], { cwd: missing, env: { A: '1' } }),
    ]) {
      const r = run(shell, c);
      expect(r.stdout).toBe('');
      expect(r.status).not.toBe(0);
    }
  });

  it('keep and/or/seq precedence as built', () => {
    const ok = write(['true']);
    const fail = write(['false']);
    const say = (s: string) => write(['printf', '%s,', s]);
    const cases: [Command, string][] = [
      [and([fail, or([say('no'), say('no')])]), ''],
      [or([fail, and([say('a'), say('b')])]), 'a,b,'],
      [and([seq([fail, say('a')]), say('b')]), 'a,b,'],
      [and([or([ok, say('no')]), say('c')]), 'c,'],
      [pipe([and([say('x'), say('y')]), write(['cat'])]), 'x,y,'],
      [and([script('printf a, # trailing comment'), say('b')]), 'a,b,'],
      [and([script('cat <<EOF\nheredoc,\nEOF'), say('b')]), 'heredoc,\nb,'],
      [and([script('exit 3'), say('not reached')]), ''],
    ];
    for (const [c, expected] of cases) expect(run(shell, c).stdout).toBe(expected);
  });
});
