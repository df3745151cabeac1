import { describe, expect, it } from 'vitest';
import {
  parseServersState,
  parseStat,
  parseUpstream,
  runtimeError,
  serversState,
  serverStats,
  socatInstalled,
  upstreamFile,
} from '../../../src/facts/balancer.js';
import { fails, parses, probes } from './table.js';

describe('nginx upstream file', () => {
  probes([
    ['upstreamFile', upstreamFile('/srv/lb/upstream.conf'), 'if [ -f /srv/lb/upstream.conf ] ; then cat /srv/lb/upstream.conf ; fi'],
  ]);

  parses('parseUpstream', parseUpstream, [
    [
      'as this tool writes it',
      [
        '# Written by deploy: every drain, ready and pool sync rewrites this file whole; edits by hand are lost.',
        'upstream app {',
        '  server 10.0.0.1:3000 max_fails=1 fail_timeout=5s; # web1',
        '  server 10.0.0.2:3000 down; # web2',
        '  keepalive 16;',
        '  keepalive_timeout 1s;',
        '}',
        '',
      ].join('\n'),
      {
        name: 'app',
        servers: [
          { address: '10.0.0.1', port: 3000, down: false, name: 'web1' },
          { address: '10.0.0.2', port: 3000, down: true, name: 'web2' },
        ],
      },
    ],
    [
      'the test fleet’s hand-written file',
      'upstream app {\n  server 127.0.1.1:3000 max_fails=1 fail_timeout=5s; # web1\n  server 127.0.1.2:3000 max_fails=1 fail_timeout=5s; # web2\n}\n',
      {
        name: 'app',
        servers: [
          { address: '127.0.1.1', port: 3000, down: false, name: 'web1' },
          { address: '127.0.1.2', port: 3000, down: false, name: 'web2' },
        ],
      },
    ],
    [
      'one line, IPv6, default port, weight before down, commented-out servers ignored',
      'upstream shop{server [fd00::1]:8080 weight=2 down;server backend.internal;}\n# server 10.9.9.9:1 down;\n  #server 10.9.9.8;\n',
      {
        name: 'shop',
        servers: [
          { address: 'fd00::1', port: 8080, down: true, weight: 2 },
          { address: 'backend.internal', port: 80, down: false },
        ],
      },
    ],
    [
      'a unix socket',
      'upstream app {\n  server unix:/run/app.sock down;\n}\n',
      { name: 'app', servers: [{ address: 'unix:/run/app.sock', port: 80, down: true }] },
    ],
    [
      'CRLF line ends',
      'upstream app {\r\n  server 10.0.0.1:3000 down; # web1\r\n}\r\n',
      { name: 'app', servers: [{ address: '10.0.0.1', port: 3000, down: true, name: 'web1' }] },
    ],
    ['no file (nothing printed)', '', { name: null, servers: [] }],
    [
      'down as part of another word is not down',
      'upstream app {\n  server 10.0.0.1:3000 slowdown=1;\n}\n',
      { name: 'app', servers: [{ address: '10.0.0.1', port: 3000, down: false }] },
    ],
  ]);
});

const SERVERS_HEADER =
  '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port';

/** haproxy 2.6 `show servers state app` with web1 in drain, then in maint (its checks stopped). */
const serversDrain = `1\n${SERVERS_HEADER}\n3 app 1 web1 127.1.6.1 2 8 1 1 0 15 3 2 6 0 0 0 - 3000 - 0 0 - - 0\n3 app 2 web2 127.1.6.2 2 0 1 1 403 15 3 2 6 0 0 0 - 3000 - 0 0 - - 0\n\n`;
const serversMaint = `1\n${SERVERS_HEADER}\n3 app 1 web1 127.1.6.1 0 1 1 1 0 15 3 0 14 0 0 0 - 3000 - 0 0 - - 0\n3 app 2 web2 127.1.6.2 2 0 1 1 1 15 3 2 6 0 0 0 - 3000 - 0 0 - - 0\n\n`;

describe('haproxy server states', () => {
  probes([
    [
      'serversState',
      serversState('/srv/lb/haproxy.sock', 'app'),
      "printf '%s\\n' 'show servers state app' | socat stdio unix-connect:/srv/lb/haproxy.sock",
    ],
    ['serverStats', serverStats('/srv/lb/haproxy.sock'), "printf '%s\\n' 'show stat' | socat stdio unix-connect:/srv/lb/haproxy.sock"],
    ['socatInstalled', socatInstalled(), 'command -v socat || true'],
  ]);

  const web2 = { backend: 'app', server: 'web2', address: '127.1.6.2', operational: 'running', admin: 'ready', weight: 1 };
  parses('parseServersState', parseServersState, [
    [
      'drain',
      serversDrain,
      [{ backend: 'app', server: 'web1', address: '127.1.6.1', operational: 'running', admin: 'drain', weight: 1 }, web2],
    ],
    [
      'maint, checks stopped',
      serversMaint,
      [{ backend: 'app', server: 'web1', address: '127.1.6.1', operational: 'stopped', admin: 'maint', weight: 1 }, web2],
    ],
    [
      'ready but at weight 0 (a cut-over left half done)',
      `1\n${SERVERS_HEADER}\n3 app 1 web1 127.1.6.1 2 0 0 1 0 15 3 2 6 0 0 0 - 3000 - 0 0 - - 0\n`,
      [{ backend: 'app', server: 'web1', address: '127.1.6.1', operational: 'running', admin: 'ready', weight: 0 }],
    ],
    [
      'maintenance wins over drain; inherited drain; starting and stopping',
      `1\n${SERVERS_HEADER}\n3 app 1 web1 10.0.0.1 1 9 1 1 0 15 3 2 6 0 0 0 - 3000 - 0 0 - - 0\n3 app 2 web2 10.0.0.2 3 16 1 1 0 15 3 2 6 0 0 0 - 3000 - 0 0 - - 0\n`,
      [
        { backend: 'app', server: 'web1', address: '10.0.0.1', operational: 'starting', admin: 'maint', weight: 1 },
        { backend: 'app', server: 'web2', address: '10.0.0.2', operational: 'stopping', admin: 'drain', weight: 1 },
      ],
    ],
    [
      // haproxy 2.6, server `disabled` in the config (5: configured + forced maintenance), then `set server … state
      // ready`: the configured bit stays as a record of the config, while haproxy checks and serves the server.
      'a server configured `disabled`, before and after `state ready`',
      `1\n${SERVERS_HEADER}\n4 app_beta 1 web1 127.0.27.1 0 5 1 1 10 1 0 0 14 0 0 0 - 3000 - 0 0 - - 0\n4 app_beta 2 web2 127.0.27.2 2 4 1 1 2 8 2 0 6 0 0 0 - 3000 - 0 0 - - 0\n`,
      [
        { backend: 'app_beta', server: 'web1', address: '127.0.27.1', operational: 'stopped', admin: 'maint', weight: 1 },
        { backend: 'app_beta', server: 'web2', address: '127.0.27.2', operational: 'running', admin: 'ready', weight: 1 },
      ],
    ],
    [
      'columns found by name, not position',
      `1\n# srv_name be_name srv_addr srv_admin_state srv_op_state\nweb1 app 10.0.0.1 0 2\n`,
      [{ backend: 'app', server: 'web1', address: '10.0.0.1', operational: 'running', admin: 'ready' }],
    ],
    ['a backend without servers', `1\n${SERVERS_HEADER}\n\n`, []],
    ['nothing ran', '', []],
    ['an unknown backend', "Can't find backend.\n\n", fails("haproxy show servers state: Can't find backend.")],
    ['a permission problem', 'Permission denied\n\n', fails('Permission denied')],
    [
      'a header without srv_admin_state',
      `1\n# be_name srv_name srv_addr srv_op_state\napp web1 10.0.0.1 2\n`,
      fails('no srv_admin_state column'),
    ],
    [
      'an unknown operational state',
      `1\n${SERVERS_HEADER}\n3 app 1 web1 10.0.0.1 7 0 1 1 0 15 3 2 6 0 0 0 - 3000 - 0 0 - - 0\n`,
      fails('unexpected states'),
    ],
    ['a short line', `1\n${SERVERS_HEADER}\n3 app 1\n`, fails('no srv_op_state in: 3 app 1')],
    [
      'a weight that is not a number',
      `1\n${SERVERS_HEADER}\n3 app 1 web1 10.0.0.1 2 0 x 1 0 15 3 2 6 0 0 0 - 3000 - 0 0 - - 0\n`,
      fails('srv_uweight is not a number'),
    ],
  ]);
});

/** haproxy 2.6 `show stat` while web1 drains with one request still in flight (scur 1). */
const statDrain = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,
http,FRONTEND,,,2,2,4096,2,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,2,0,2,,,,0,0,0,0,0,0,,2,2,2,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,http,,2,2,2,0,0,0,0,,,0,0,,,,,,,0,,,,,,,,,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,2,2,2,174,0,0,0,
app,web1,0,0,1,1,,1,0,0,,0,,0,0,0,0,DRAIN,1,1,0,1,2,0,343,,1,3,1,,1,,2,1,,1,L7OK,200,2,0,0,0,0,0,0,,,,0,0,0,,,,,1,,,0,0,0,0,,,,Layer7 check passed,,1,2,2,,,,127.1.6.1:3000,,http,,,,,,,,0,1,0,,,0,,0,0,0,0,0,0,0,1,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
app,web2,0,0,1,1,,1,0,0,,0,,0,0,0,0,UP,1,1,0,1,1,403,344,,1,3,2,,1,,2,1,,1,L7OK,200,2,0,0,0,0,0,0,,,,0,0,0,,,,,1,,,0,0,0,0,,,,Layer7 check passed,,1,2,2,,,,127.1.6.2:3000,,http,,,,,,,,0,1,0,,,0,,0,0,0,0,0,0,0,1,2,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
app,BACKEND,0,0,2,2,410,2,0,0,0,0,,0,0,0,0,UP,1,1,0,,1,405,342,,1,3,0,,2,,1,2,,2,,,,0,0,0,0,0,0,,,,0,0,0,0,0,0,0,1,,,0,0,0,0,,,,,,,,,,,,,,http,roundrobin,,,,,,,0,2,0,0,0,,,0,0,0,0,0,,,,,1,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,2,1492,1492,146510,19494,0,0,\n`;

describe('haproxy statistics', () => {
  parses('parseStat', parseStat, [
    [
      'servers only, with their sessions and status',
      statDrain,
      [
        { backend: 'app', server: 'web1', sessions: 1, status: 'DRAIN' },
        { backend: 'app', server: 'web2', sessions: 1, status: 'UP' },
      ],
    ],
    [
      'several backends, statuses with spaces, an empty scur',
      '# pxname,svname,qcur,qmax,scur,status,\nstats,FRONTEND,,,0,OPEN,\napp,web1,0,0,0,MAINT,\napp,web2,0,0,3,UP 1/2,\napi,api1,,,,no check,\napp,BACKEND,0,0,3,UP,\n',
      [
        { backend: 'app', server: 'web1', sessions: 0, status: 'MAINT' },
        { backend: 'app', server: 'web2', sessions: 3, status: 'UP 1/2' },
        { backend: 'api', server: 'api1', sessions: 0, status: 'no check' },
      ],
    ],
    ['nothing ran', '', []],
    ['not CSV', 'Unknown command. Please enter one of the following commands only :\n  help\n', fails('no "#" header line')],
    ['scur not a number', '# pxname,svname,scur,status\napp,web1,x,UP\n', fails('scur is not a number')],
  ]);
});

describe('haproxy replies', () => {
  const cases: [string, string, string | undefined][] = [
    ['set server succeeded (an empty line)', '\n', undefined],
    ['nothing at all', '', undefined],
    ['unknown server', 'No such server.\n\n', 'No such server.'],
    [
      'bad state',
      "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n",
      "'set server <srv> state' expects 'ready', 'drain' and 'maint'.",
    ],
  ];
  it.each(cases)('runtimeError: %s', (_name, stdout, expected) => expect(runtimeError(stdout)).toBe(expected));

  it('socatInstalled reads a path as installed and nothing as missing', () => {
    expect(socatInstalled().parse('/usr/bin/socat\n')).toBe(true);
    expect(socatInstalled().parse('')).toBe(false);
  });
});
