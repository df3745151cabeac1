import { parseArgs } from 'node:util';
import { FleetError, resolveOptions, type FleetOptions } from './plan.js';
import { fleetDown, fleetStatus, fleetUp, setFleetLogger } from './fleet.js';

const USAGE = `usage: tsx test/fleet/cli.ts <command> [options]

commands:
  up       start the test fleet and write its description (default .fleet/fleet.json)
  down     stop the fleet by its recorded PIDs and remove its state
  status   show which hosts and services are up

options (each also settable through the environment):
  --webs N                       number of web hosts, 1-200            FLEET_WEBS (2)
  --bastion                      a jump host bastion1 (.99)            FLEET_BASTION=1
  --balancer nginx|haproxy|none  load balancer on lb1                  FLEET_BALANCER (nginx)
  --no-postgres                  no db1                                FLEET_POSTGRES=0
  --no-media                     no media1                             FLEET_MEDIA=0
  --net 127.A.B                  address block                         FLEET_NET (127.0.1)
  --state DIR                    state dir (not under /tmp,/srv,/home) FLEET_STATE (/var/tmp/deploy-fleet)
  --json PATH                    fleet description                     FLEET_JSON (.fleet/fleet.json)
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      webs: { type: 'string' },
      balancer: { type: 'string' },
      'no-postgres': { type: 'boolean' },
      'no-media': { type: 'boolean' },
      bastion: { type: 'boolean' },
      net: { type: 'string' },
      state: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const opts: FleetOptions = {};
  if (values.webs !== undefined) opts.webs = Number(values.webs);
  if (values.balancer !== undefined) {
    if (!['nginx', 'haproxy', 'none'].includes(values.balancer))
      throw new FleetError(`--balancer ${values.balancer}: use nginx, haproxy or none`);
    opts.balancer = values.balancer === 'none' ? false : (values.balancer as 'nginx' | 'haproxy');
  }
  if (values['no-postgres']) opts.postgres = false;
  if (values['no-media']) opts.media = false;
  if (values.bastion) opts.bastion = true;
  if (values.net !== undefined) opts.net = values.net;
  if (values.state !== undefined) opts.stateDir = values.state;
  if (values.json !== undefined) opts.jsonPath = values.json;
  const o = resolveOptions(opts);

  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(2)} s`;
  setFleetLogger((m) => console.error(`[fleet ${elapsed()}] ${m}`));

  switch (command) {
    case 'up': {
      const f = await fleetUp(o);
      for (const h of f.hosts) console.log(`  ${h.name.padEnd(8)} ${h.address.padEnd(14)} ${h.roles.join(',')}`);
      if (f.balancer) console.log(`  balancer  ${f.balancer.kind} ${f.balancer.url}`);
      if (f.media) console.log(`  media     ${f.media.url}/assets/<release>/<file>`);
      if (f.databaseUrl) console.log(`  database  ${f.databaseUrl}`);
      console.log(`fleet up in ${elapsed()}: ${o.jsonPath}\n  ssh -F ${f.sshConfig} ${f.hosts[0]?.name}`);
      return 0;
    }
    case 'down':
      await fleetDown(o.stateDir);
      console.log(`fleet down in ${elapsed()} (${o.stateDir})`);
      return 0;
    case 'status': {
      const st = fleetStatus(o.stateDir);
      if (!st) {
        console.log(`no fleet in ${o.stateDir}`);
        return 1;
      }
      for (const h of st) {
        const svc = h.services.map((s) => `${s.name}:${s.listening ? 'up' : 'down'}`).join(' ');
        const extra = [h.refused ? 'refusing ssh' : '', h.srvMb ? `/srv tmpfs ${h.srvMb}M` : ''].filter(Boolean).join(', ');
        console.log(
          `  ${h.name.padEnd(8)} ${h.address.padEnd(14)} ${h.running ? `running (pid ${h.initPid})` : 'stopped'.padEnd(18)} ssh:${h.ssh ? 'up' : 'down'} ${svc} ${extra}`.trimEnd(),
        );
      }
      return st.every((h) => h.running) ? 0 : 1;
    }
    default:
      process.stderr.write(`unknown command ${command}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof FleetError ? `fleet: ${err.message}` : err);
    process.exit(1);
  },
);
