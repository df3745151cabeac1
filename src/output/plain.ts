import { canaryLine, formatRate, watchLine } from './canary.js';
import type { DeployEvent, EventSink, PromotedFrom, RunSummary } from './events.js';
import { formatBytes } from './timeline.js';
import { visible } from './visible.js';

export interface PlainOptions {
  readonly write: (line: string) => void;
  readonly now?: () => Date;
  /** Show every command and its output, not only steps and failures. */
  readonly verbose?: boolean;
  /** ANSI colours for outcomes (CI with FORCE_COLOR); never spinners or cursor movement. */
  readonly color?: boolean;
  /** How the time column looks; default `HH:MM:SS` (UTC). */
  readonly stamp?: (d: Date) => string;
}

const hhmmss = (d: Date) => d.toISOString().slice(11, 19);

/** A traffic canary's numbers get a line this often. */
const CANARY_LINE_MS = 5000;

/** Upload progress is shown when a host crosses each of these fractions. */
const UPLOAD_STEPS = 4;

const sgr = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
const PAINT = { red: sgr('31'), green: sgr('32'), yellow: sgr('33'), dim: sgr('2'), bold: sgr('1') };
const NO_PAINT: typeof PAINT = { red: (s) => s, green: (s) => s, yellow: (s) => s, dim: (s) => s, bold: (s) => s };

/** FORCE_COLOR as Node and most tools read it: set and not 0/false. */
export function forceColor(env: NodeJS.ProcessEnv): boolean {
  const v = env.FORCE_COLOR;
  return v !== undefined && v !== '0' && v.toLowerCase() !== 'false';
}

/** One line per event worth a line: `time host step message`. For CI logs and pipes; no spinners. */
export function plainRenderer({ write, now = () => new Date(), verbose = false, color = false, stamp = hhmmss }: PlainOptions): EventSink {
  const c = color ? PAINT : NO_PAINT;
  const line = (host: string, step: string, message: string) =>
    write(`${c.dim(stamp(now()))} ${host.padEnd(10)} ${step.padEnd(10)} ${message}`);
  const uploads = new Map<string, number>();
  const skipped = new Map<string, string>();
  const canaryLines = new Map<string, number>();
  let watchLines = 0;
  return (e: DeployEvent) => {
    switch (e.type) {
      case 'run:start':
        return line(
          '-',
          e.verb,
          `${e.dryRun ? 'dry run: ' : ''}stage ${e.stage}${e.release ? ` release ${e.release}` : ''} on ${e.hosts.join(', ')}${e.message ? `: ${visible(e.message)}` : ''}`,
        );
      case 'run:end': {
        if (e.summary?.message) line('-', 'done', `message: ${visible(e.summary.message)}`);
        if (e.summary) summaryLines(e.summary).forEach(([host, text, ok]) => line(host, 'done', ok ? text : c.red(text)));
        const outcome = e.outcome === 'success' ? c.green(e.outcome) : c.red(e.outcome);
        // The error's first line; the whole error follows on stderr (and in full here with --verbose, as in run.log).
        const [first, ...more] = e.error?.split('\n') ?? [];
        line('-', 'done', `${outcome} (exit ${e.exitCode}) in ${seconds(e.durationMs)}${first ? `: ${first}` : ''}`);
        return verbose ? more.forEach((m) => line('-', 'done', `| ${m}`)) : undefined;
      }
      case 'step:start':
        skipped.delete(e.step);
        return undefined;
      case 'step:end': {
        const reason = e.ok ? skipped.get(e.step) : undefined;
        skipped.delete(e.step);
        return line(
          '-',
          e.step,
          `${reason !== undefined ? c.yellow(`skipped: ${reason}`) : e.ok ? c.green('ok') : c.red('FAILED')} in ${seconds(e.durationMs)}`,
        );
      }
      case 'skipped':
        skipped.set(e.step, e.reason);
        return line(e.host, e.step, c.yellow(`skipped: ${e.reason}`));
      case 'host:end':
        if (e.ok) return verbose ? line(e.host, e.step, `${c.green('ok')} in ${seconds(e.durationMs)}`) : undefined;
        line(e.host, e.step, `${c.red('FAILED')}: ${e.error ?? 'unknown error'}`);
        return e.tail?.forEach((t) => line(e.host, e.step, `| ${t}`));
      case 'command':
        return verbose || e.dryRun ? line(e.host, e.step, `${e.dryRun ? '(dry run) ' : '$ '}${e.command}`) : undefined;
      case 'command:exit':
        return verbose
          ? line(e.host, e.step, `exit ${e.code === 0 ? e.code : c.red(String(e.code))} in ${seconds(e.durationMs)}`)
          : undefined;
      case 'output':
        return verbose ? line(e.host, e.step, `${e.stream === 'stderr' ? '! ' : '> '}${e.line}`) : undefined;
      case 'release:chosen':
        return line('-', 'release', `release ${e.release}`);
      case 'release':
        return verbose ? line(e.host, 'release', `${e.previous ?? '(none)'} → ${e.release}`) : undefined;
      case 'lock':
        return e.action === 'renewed' && !verbose ? undefined : line(e.host, 'lock', `${e.action}${e.holder ? ` (${e.holder})` : ''}`);
      case 'batch':
        return line('-', 'batch', `${e.role} ${e.index}/${e.of}: ${e.hosts.join(', ')}`);
      case 'health':
        return e.ok || verbose
          ? line(
              e.host,
              'health',
              `${e.ok ? c.green('healthy') : c.yellow('unhealthy')} (attempt ${e.attempt}${e.status ? `, HTTP ${e.status}` : ''})${e.detail ? ` ${e.detail}` : ''}`,
            )
          : undefined;
      case 'drain':
        return line(e.host, 'balancer', e.action === 'drain' ? 'drained' : 'back in rotation');
      case 'switchback':
        return line('-', 'switchback', c.yellow(`switching ${e.hosts.join(', ')} back to ${e.to}`));
      case 'canary': {
        const host = e.hosts.join(',');
        if (e.phase === 'start')
          return line(
            host,
            'canary',
            `${formatRate(e.share)} of the requests for ${seconds(e.windowMs)}; limits: error rate ${formatRate(e.limits.maxErrorRate)}${e.limits.maxP95Ms !== undefined ? `, response time ${e.limits.maxP95Ms} ms` : ''}`,
          );
        if (e.phase === 'sample') {
          // CI logs get a line every few seconds, not one per reading.
          const bucket = Math.floor(e.elapsedMs / CANARY_LINE_MS);
          if (bucket <= (canaryLines.get(host) ?? 0)) return undefined;
          canaryLines.set(host, bucket);
          return line(host, 'canary', canaryLine(e));
        }
        const verdict = e.ok ? c.green('passed') : c.red('FAILED');
        return line(host, 'canary', `${verdict}${e.reason ? ` (${e.reason})` : ''}: ${canaryLine(e)}`);
      }
      case 'watch': {
        if (e.phase === 'start') {
          watchLines = 0;
          return line(
            '-',
            'watch',
            `${e.hosts.join(', ')} for ${seconds(e.windowMs)}; limits: error rate ${formatRate(e.limits.maxErrorRate)}${e.limits.health ? ', health checks' : ''}`,
          );
        }
        if (e.phase === 'sample') {
          const bucket = Math.floor(e.elapsedMs / CANARY_LINE_MS);
          if (bucket <= watchLines) return undefined;
          watchLines = bucket;
          return line('-', 'watch', watchLine(e));
        }
        if (e.phase === 'interrupted') return line('-', 'watch', c.yellow(`interrupted: ${e.reason ?? ''} (${watchLine(e)})`));
        const verdict = e.ok ? c.green('passed') : c.red('FAILED');
        return line('-', 'watch', `${verdict}${e.reason ? ` (${e.reason})` : ''}: ${watchLine(e)}`);
      }
      case 'upload': {
        const step = e.total > 0 ? Math.floor((e.transferred / e.total) * UPLOAD_STEPS) : UPLOAD_STEPS;
        const shown = uploads.get(e.host) ?? -1;
        if (step < shown) uploads.delete(e.host);
        if (step <= (uploads.get(e.host) ?? -1)) return undefined;
        uploads.set(e.host, step);
        return line(e.host, 'upload', `${(step * 100) / UPLOAD_STEPS}% · ${formatBytes(e.transferred)} of ${formatBytes(e.total)}`);
      }
      case 'promote':
        return line('-', 'promote', promotedText(e.from));
      case 'info':
        return line(e.host ?? '-', 'info', e.message);
      case 'warning':
        return line(e.host ?? '-', 'warning', c.yellow(e.message));
      default:
        return undefined;
    }
  };
}

/** Per host: `deployed 20250102… (was 20250101…) in 12.3s`, and whether that is good news. */
export function summaryLines(s: RunSummary): [host: string, text: string, ok: boolean][] {
  return s.hosts.map((h) => {
    const was = h.previous ?? '(none)';
    const took = h.durationMs ? ` in ${seconds(h.durationMs)}` : '';
    switch (h.outcome) {
      case 'deployed':
        return [h.host, `deployed ${h.release} (was ${was})${took}`, true];
      case 'switched-back':
        return [h.host, `switched back to ${h.current ?? '(none)'} from ${h.release}${took}`, false];
      case 'failed':
        return [h.host, `failed, still on ${h.current ?? was}${took}`, false];
      default:
        return [h.host, `${h.outcome}, on ${h.current ?? was}`, true];
    }
  });
}

/** `from staging release 20250102… (revision 3f2a…, artifact sha256 …)`; `from the beta of staging release …`. */
export function promotedText(f: PromotedFrom): string {
  return `from ${f.beta ? 'the beta of ' : ''}${f.stage} release ${f.release} (${f.sha256 ? `artifact sha256 ${f.sha256}` : `revision ${f.revision}`})`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
