import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DeployEvent, EventSink } from './events.js';
import { jsonRenderer } from './json.js';
import { plainRenderer, seconds } from './plain.js';

/** Where a project keeps its run logs, relative to the deploy.yml's directory. */
export const LOGS_DIR = join('.deploy', 'logs');

const iso = (d: Date) => d.toISOString();

/**
 * One host's log line for an event that concerns it (`[step] $ command`, `[step] > output`, `[step] exit 0`…),
 * without the timestamp; undefined when the event is not about one host.
 */
export function hostLogLine(e: DeployEvent): { host: string; text: string } | undefined {
  switch (e.type) {
    case 'host:start':
      return { host: e.host, text: `[${e.step}] start` };
    case 'host:end':
      return { host: e.host, text: `[${e.step}] ${e.ok ? 'ok' : `FAILED: ${e.error ?? 'unknown error'}`} in ${seconds(e.durationMs)}` };
    case 'command':
      return { host: e.host, text: `[${e.step}] ${e.dryRun ? '(dry run) ' : '$ '}${e.command.replace(/\n/g, '\n    ')}` };
    case 'output':
      return { host: e.host, text: `[${e.step}] ${e.stream === 'stderr' ? '!' : '>'} ${e.line}` };
    case 'command:exit':
      return { host: e.host, text: `[${e.step}] exit ${e.code} in ${seconds(e.durationMs)}` };
    case 'release':
      return { host: e.host, text: `[release] ${e.previous ?? '(none)'} → ${e.release}` };
    case 'lock':
      return { host: e.host, text: `[lock] ${e.action}${e.holder ? ` (${e.holder})` : ''}` };
    case 'health':
      return {
        host: e.host,
        text: `[health] ${e.ok ? 'healthy' : 'unhealthy'} (attempt ${e.attempt}${e.status ? `, HTTP ${e.status}` : ''})${e.detail ? ` ${e.detail}` : ''}`,
      };
    case 'drain':
      return { host: e.host, text: `[balancer] ${e.action === 'drain' ? 'drained' : 'back in rotation'}` };
    case 'upload':
      return { host: e.host, text: `[upload] ${e.transferred} of ${e.total} bytes` };
    case 'info':
    case 'warning':
      return e.host ? { host: e.host, text: `[${e.type}] ${e.message}` } : undefined;
    default:
      return undefined;
  }
}

export interface LogFiles {
  readonly dir: string;
  readonly sink: EventSink;
}

/**
 * Creates `<root>/<stage>/<id>/` (or `<id>-2`… when a run with the same id already wrote there) and returns a
 * sink writing `<host>.log` per host (every command, output line and exit, timestamped), `run.log` (every
 * event as a CI line) and `events.ndjson`. It must sit behind the masking sink. Writes are synchronous, so a
 * run killed halfway still leaves its log.
 */
export function openLogFiles(root: string, stage: string, id: string, now: () => Date = () => new Date()): LogFiles {
  mkdirSync(join(root, stage), { recursive: true });
  let dir = join(root, stage, id);
  for (let n = 2; ; n++) {
    try {
      mkdirSync(dir);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n > 100) throw e;
      dir = join(root, stage, `${id}-${n}`);
    }
  }
  const fds = new Map<string, number>();
  let closed = false;
  const write = (name: string, line: string) => {
    if (closed) return;
    let fd = fds.get(name);
    if (fd === undefined) fds.set(name, (fd = openSync(join(dir, name), 'a', 0o600)));
    writeSync(fd, `${line}\n`);
  };
  const run = plainRenderer({ write: (l) => write('run.log', l), now, verbose: true, stamp: iso });
  const events = jsonRenderer((l) => write('events.ndjson', l), now);
  const uploads = new Map<string, number>();
  const sink: EventSink = (e) => {
    run(e);
    events(e);
    if (e.type === 'upload') {
      // Every quarter is enough in a file; the events file has them all.
      const quarter = e.total > 0 ? Math.floor((e.transferred / e.total) * 4) : 4;
      if (quarter === uploads.get(e.host)) return;
      uploads.set(e.host, quarter);
    }
    const line = hostLogLine(e);
    if (line) write(`${safeName(line.host)}.log`, `${iso(now())} ${line.text}`);
  };
  sink.close = () => {
    closed = true;
    fds.forEach((fd) => closeSync(fd));
    fds.clear();
  };
  return { dir, sink };
}

/** Host names become file names: keep them to one path segment. */
export function safeName(host: string): string {
  const name = host.replace(/[^A-Za-z0-9._@-]/g, '_');
  return name === '' || name === '.' || name === '..' || name === 'run' ? `host-${name}` : name;
}
