import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findSocat,
  haproxyCommand,
  readUpstream,
  reloadNginx,
  removeUpstream,
  renderUpstream,
  serverAddress,
  setServerState,
  setServerWeight,
  cutOver,
  showServersState,
  showStat,
  UPSTREAM_HEADER,
  writeUpstream,
  type UpstreamServer,
} from '../../../src/commands/balancer.js';
import { parseUpstream } from '../../../src/facts/balancer.js';
import { read, write } from '../../../src/shell/command.js';
import { renders, sandbox } from './table.js';

const pool: UpstreamServer[] = [
  { address: '10.0.0.1', port: 3000, down: false, name: 'web1' },
  { address: '10.0.0.2', port: 3000, down: true, name: 'web2' },
];

const twoServers = `${UPSTREAM_HEADER}
upstream app {
  server 10.0.0.1:3000 max_fails=1 fail_timeout=5s; # web1
  server 10.0.0.2:3000 down; # web2
  keepalive 16;
  keepalive_timeout 1s;
}
`;

describe('renderUpstream', () => {
  const cases: [string, () => string, string][] = [
    ['one upstream block, the drained host marked down, keepalive to the pool', () => renderUpstream('app', pool), twoServers],
    [
      'options; IPv6 in brackets; no keepalive; no names',
      () => renderUpstream('shop.v2', [{ address: 'fd00::1', port: 8080, down: false }], { maxFails: 3, failTimeout: 10, keepalive: 0 }),
      `${UPSTREAM_HEADER}\nupstream shop.v2 {\n  server [fd00::1]:8080 max_fails=3 fail_timeout=10s;\n}\n`,
    ],
    [
      'every server down is still a valid upstream',
      () =>
        renderUpstream('app', [{ address: 'web1.internal', port: 80, down: true, name: 'web1' }], { keepalive: 4, keepaliveTimeout: 3 }),
      `${UPSTREAM_HEADER}\nupstream app {\n  server web1.internal:80 down; # web1\n  keepalive 4;\n  keepalive_timeout 3s;\n}\n`,
    ],
  ];
  it.each(cases)('%s', (_name, build, expected) => expect(build()).toBe(expected));

  const refused: [string, () => unknown, RegExp][] = [
    ['no servers (nginx refuses an empty upstream)', () => renderUpstream('app', []), /at least one server/],
    [
      'an address that would inject configuration',
      () => renderUpstream('app', [{ address: '1.2.3.4; include /etc/passwd', port: 80, down: false }]),
      /cannot write address/,
    ],
    [
      'a name that would break out of the comment',
      () => renderUpstream('app', [{ address: '10.0.0.1', port: 80, down: false, name: 'web1\nserver evil' }]),
      /not a host name/,
    ],
    ['an upstream name with a brace', () => renderUpstream('app {', pool), /not an nginx upstream name/],
    ['a port out of range', () => serverAddress('10.0.0.1', 70000), /port out of range/],
    ['a fractional keepalive', () => renderUpstream('app', pool, { keepalive: 1.5 }), /keepalive must be a whole number/],
  ];
  it.each(refused)('refuses %s', (_name, build, message) => expect(build).toThrow(message));

  it('reads back as what it was made from (facts/balancer.ts)', () => {
    expect(parseUpstream(renderUpstream('app', pool))).toEqual({ name: 'app', servers: pool });
  });
});

describe('balancer commands', () => {
  renders([
    [
      'writeUpstream: the text as one quoted argument, renamed over the file only when it differs',
      () => writeUpstream('/srv/lb/upstream.conf', 'upstream app {\n  server 10.0.0.1:3000;\n}\n'),
      "printf %s 'upstream app {\n  server 10.0.0.1:3000;\n}\n' > /srv/lb/upstream.conf.tmp && if cmp -s /srv/lb/upstream.conf.tmp /srv/lb/upstream.conf ; then rm -f /srv/lb/upstream.conf.tmp && echo unchanged ; else mv -f /srv/lb/upstream.conf.tmp /srv/lb/upstream.conf && echo changed ; fi",
      'write',
    ],
    [
      'writeUpstream: quotes in the text and spaces in the path',
      () => writeUpstream('/etc/nginx/my app.conf', "# it's\n"),
      "printf %s '# it'\\''s\n' > '/etc/nginx/my app.conf.tmp' && if cmp -s '/etc/nginx/my app.conf.tmp' '/etc/nginx/my app.conf' ; then rm -f '/etc/nginx/my app.conf.tmp' && echo unchanged ; else mv -f '/etc/nginx/my app.conf.tmp' '/etc/nginx/my app.conf' && echo changed ; fi",
      'write',
    ],
    [
      'readUpstream: nothing when the file is missing',
      () => readUpstream('/srv/lb/upstream.conf'),
      'if [ -f /srv/lb/upstream.conf ] ; then cat /srv/lb/upstream.conf ; fi',
      'read',
    ],
    [
      'removeUpstream: undoes a first write when there was no file',
      () => removeUpstream('/srv/lb/upstream.conf'),
      'rm -f /srv/lb/upstream.conf',
      'write',
    ],
    [
      'reloadNginx: the configured snippet, run by its own sh, then a wait until no worker active before it is active beside a new one (5 s at most, then a marker)',
      () => reloadNginx('nginx -t && nginx -s reload'),
      `_deploy_old=$(ps -eo pid=,ppid=,args= 2>/dev/null | awk '$3 == "nginx:" && $4 == "worker" && $5 == "process" && NF == 5 { printf " %s", $1 }') && sh -c 'nginx -t && nginx -s reload' && { _deploy_i=0; while [ -n "$_deploy_old" ] && [ $_deploy_i -lt 100 ]; do ps -eo pid=,ppid=,args= | awk -v old="$_deploy_old " '$3 == "nginx:" && $4 == "worker" && $5 == "process" && NF == 5 { if (index(old, " " $1 " ")) o[$2] = 1; else n[$2] = 1 } END { for (m in n) if (m in o) exit 1; for (m in n) exit 0; exit 1 }' && break; sleep 0.05 || break; _deploy_i=$((_deploy_i + 1)); done; [ $_deploy_i -lt 100 ] || printf '%s\\n' deploy:reload-pending; }`,
      'write',
    ],
    [
      'setServerState: drain',
      () => setServerState('/srv/lb/haproxy.sock', 'app', 'web1', 'drain'),
      "printf '%s\\n' 'set server app/web1 state drain' | socat stdio unix-connect:/srv/lb/haproxy.sock",
      'write',
    ],
    [
      'setServerWeight: up but sent nothing new, then back to the configured weight',
      () => [setServerWeight('/srv/lb/haproxy.sock', 'app', 'web1', '0'), setServerWeight('/srv/lb/haproxy.sock', 'app', 'web1', '100%')],
      [
        "printf '%s\\n' 'set weight app/web1 0' | socat stdio unix-connect:/srv/lb/haproxy.sock",
        "printf '%s\\n' 'set weight app/web1 100%' | socat stdio unix-connect:/srv/lb/haproxy.sock",
      ],
      'write',
    ],
    [
      'cutOver: the new servers get their weight and the old ones drain in one command line',
      () => cutOver('/srv/lb/haproxy.sock', 'app', ['web1'], ['web2', 'web3']),
      "printf '%s\\n' 'set weight app/web1 100%; set server app/web2 state drain; set server app/web3 state drain' | socat stdio unix-connect:/srv/lb/haproxy.sock",
      'write',
    ],
    [
      'setServerState: maint and ready',
      () => [
        setServerState('/srv/lb/haproxy.sock', 'shop', 'web-2.eu', 'maint'),
        setServerState('/srv/lb/haproxy.sock', 'shop', 'web-2.eu', 'ready'),
      ],
      [
        "printf '%s\\n' 'set server shop/web-2.eu state maint' | socat stdio unix-connect:/srv/lb/haproxy.sock",
        "printf '%s\\n' 'set server shop/web-2.eu state ready' | socat stdio unix-connect:/srv/lb/haproxy.sock",
      ],
      'write',
    ],
    [
      'showServersState: a read; a socket path with a space stays one argument',
      () => showServersState('/run/haproxy/admin sock', 'app'),
      "printf '%s\\n' 'show servers state app' | socat stdio 'unix-connect:/run/haproxy/admin sock'",
      'read',
    ],
    [
      'showStat: a read',
      () => showStat('/srv/lb/haproxy.sock'),
      "printf '%s\\n' 'show stat' | socat stdio unix-connect:/srv/lb/haproxy.sock",
      'read',
    ],
    ['findSocat: a read that prints nothing when socat is missing', () => findSocat(), 'command -v socat || true', 'read'],
  ]);

  const refused: [string, () => unknown, RegExp][] = [
    ['a second command after a newline', () => haproxyCommand('/s', 'show info\nshutdown frontend http'), /one haproxy command/],
    ['a second command after `;`', () => haproxyCommand('/s', 'show info; shutdown frontend http'), /one haproxy command/],
    ['a socket socat would parse as options', () => showStat('/run/a,fork'), /socat cannot address/],
    ['a server name with a slash', () => setServerState('/s', 'app', 'web1/x', 'drain'), /not a haproxy server name/],
    ['a cut-over server name with a `;`', () => cutOver('/s', 'app', ['web1;shutdown'], []), /not a haproxy server name/],
    ['a backend name with a space', () => showServersState('/s', 'my app'), /not a haproxy backend name/],
  ];
  it.each(refused)('refuses %s', (_name, build, message) => expect(build).toThrow(message));
});

describe('writeUpstream in sh', () => {
  const box = sandbox();
  afterAll(box.cleanup);
  const file = join(box.dir, 'upstream dir', "it's.conf");

  it('writes the text byte for byte, says changed, then unchanged; leaves no temporary file', () => {
    const text = `${renderUpstream('app', pool)}# "$HOME" \`id\` \\n %s\n`;
    expect(box.run(write(['mkdir', '-p', join(box.dir, 'upstream dir')])).code).toBe(0);
    expect(box.run(writeUpstream(file, text))).toMatchObject({ code: 0, stdout: 'changed\n' });
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(box.run(writeUpstream(file, text))).toMatchObject({ code: 0, stdout: 'unchanged\n' });
    expect(box.run(writeUpstream(file, `${text}x`))).toMatchObject({ code: 0, stdout: 'changed\n' });
    expect(box.run(readUpstream(file)).stdout).toBe(`${text}x`);
    expect(box.run(readUpstream(`${file}.missing`))).toMatchObject({ code: 0, stdout: '' });
    expect(box.run(read(['ls', join(box.dir, 'upstream dir')])).stdout).toBe("it's.conf\n");
  });

  it('fails (and changes nothing) when the directory is missing', () => {
    const r = box.run(writeUpstream(join(box.dir, 'nope', 'upstream.conf'), 'x'));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
  });
});
