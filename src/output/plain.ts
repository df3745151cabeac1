import type { DeployEvent, EventSink } from './events.js';

export interface PlainOptions {
  readonly write: (line: string) => void;
  readonly now?: () => Date;
  /** Show every command and its output, not only steps and failures. */
  readonly verbose?: boolean;
}

const hhmmss = (d: Date) => d.toISOString().slice(11, 19);

/** One line per event worth a line: `time host step message`. For CI logs and pipes; no colour, no spinners. */
export function plainRenderer({ write, now = () => new Date(), verbose = false }: PlainOptions): EventSink {
  const line = (host: string, step: string, message: string) =>
    write(`${hhmmss(now())} ${host.padEnd(10)} ${step.padEnd(10)} ${message}`);
  return (e: DeployEvent) => {
    switch (e.type) {
      case 'run:start':
        return line('-', e.verb, `${e.dryRun ? 'dry run: ' : ''}stage ${e.stage}${e.release ? ` release ${e.release}` : ''} on ${e.hosts.join(', ')}`);
      case 'run:end':
        return line('-', 'done', `${e.outcome} (exit ${e.exitCode}) in ${seconds(e.durationMs)}${e.error ? `: ${e.error}` : ''}`);
      case 'step:end':
        return line('-', e.step, `${e.ok ? 'ok' : 'FAILED'} in ${seconds(e.durationMs)}`);
      case 'host:end':
        if (e.ok) return verbose ? line(e.host, e.step, `ok in ${seconds(e.durationMs)}`) : undefined;
        line(e.host, e.step, `FAILED: ${e.error ?? 'unknown error'}`);
        return e.tail?.forEach((t) => line(e.host, e.step, `| ${t}`));
      case 'command':
        return verbose || e.dryRun ? line(e.host, e.step, `${e.dryRun ? '(dry run) ' : '$ '}${e.command}`) : undefined;
      case 'output':
        return verbose ? line(e.host, e.step, `${e.stream === 'stderr' ? '! ' : '> '}${e.line}`) : undefined;
      case 'lock':
        return line(e.host, 'lock', `${e.action}${e.holder ? ` (${e.holder})` : ''}`);
      case 'batch':
        return line('-', 'batch', `${e.role} ${e.index}/${e.of}: ${e.hosts.join(', ')}`);
      case 'health':
        return e.ok || verbose
          ? line(e.host, 'health', `${e.ok ? 'healthy' : 'unhealthy'} (attempt ${e.attempt}${e.status ? `, HTTP ${e.status}` : ''})${e.detail ? ` ${e.detail}` : ''}`)
          : undefined;
      case 'drain':
        return line(e.host, 'balancer', e.action === 'drain' ? 'drained' : 'back in rotation');
      case 'switchback':
        return line('-', 'switchback', `switching ${e.hosts.join(', ')} back to ${e.to}`);
      case 'info':
        return line(e.host ?? '-', 'info', e.message);
      case 'warning':
        return line(e.host ?? '-', 'warning', e.message);
      default:
        return undefined;
    }
  };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
