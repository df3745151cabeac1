import { canaryLine, formatRate, watchLine } from './canary.js';
import type { CanaryEvent, DeployEvent, HostSummary, RunSummary, TrafficNumbers, WatchEvent } from './events.js';
import { promotedText, seconds } from './plain.js';
import type { Recorded } from './summary.js';
import { failureLines, rowLabel, Timeline, type HostRow, type StepRow } from './timeline.js';

/** Output lines kept per command in the report's command log; the log files keep all. */
const REPORT_LINES_PER_COMMAND = 40;

const STEP_COLORS: Record<string, string> = {
  check: '#90a4ae',
  release: '#7986cb',
  transfer: '#4fc3f7',
  shared: '#4db6ac',
  install: '#aed581',
  migrate: '#ba68c8',
  switch: '#43a047',
  rollback: '#43a047',
  cleanup: '#b0bec5',
  log: '#cfd8dc',
  discard: '#bcaaa4',
  'mark-bad': '#ffb74d',
  switchback: '#fb8c00',
};
const FAILED = '#d32f2f';
const PALETTE = ['#64b5f6', '#81c784', '#ffd54f', '#f06292', '#9575cd', '#4dd0e1', '#a1887f', '#dce775'];

export function stepColor(step: string): string {
  const known = STEP_COLORS[step];
  if (known) return known;
  let h = 0;
  for (const ch of step) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

type RunStart = Extract<DeployEvent, { type: 'run:start' }>;
type RunEnd = Extract<DeployEvent, { type: 'run:end' }>;

interface Geometry {
  readonly t0: number;
  readonly t1: number;
  readonly left: number;
  readonly width: number;
  readonly rowHeight: number;
  readonly top: number;
}

const x = (g: Geometry, t: number) => g.left + ((t - g.t0) / Math.max(1, g.t1 - g.t0)) * g.width;

/** Tick spacing (ms) giving about 8 ticks over the run. */
function tickStep(ms: number): number {
  const steps = [100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];
  return steps.find((s) => ms / s <= 10) ?? 3_600_000;
}

function bar(g: Geometry, row: StepRow, h: HostRow, y: number, hostIndex: number): string {
  const start = h.startedAt ?? row.startedAt;
  const end = h.endedAt ?? row.endedAt ?? g.t1;
  const x0 = x(g, start);
  const w = Math.max(2, x(g, end) - x0);
  const failed = h.state === 'failed';
  const kind = failed ? 'failed' : row.step === 'switchback' ? 'switchback' : 'ok';
  const label = rowLabel(row);
  const tip = [`${h.host} · ${label} · ${seconds(end - start)}`, ...(failed ? failureLines(h).slice(0, 3) : []), ...h.notes].join('\n');
  const text = w > 7 * label.length ? `<text class="bar-label" x="${(x0 + 4).toFixed(1)}" y="${y + 14}">${esc(label)}</text>` : '';
  return (
    `<g class="bar-group"><rect class="bar ${kind}" data-host="${esc(h.host)}" data-host-index="${hostIndex}" data-step="${esc(row.step)}" data-row="${row.seq}" data-ms="${end - start}"` +
    ` x="${x0.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${g.rowHeight - 8}" rx="2" style="fill:${failed ? FAILED : stepColor(row.step)}">` +
    `<title>${esc(tip)}</title></rect>${text}</g>`
  );
}

function timelineSvg(timeline: Timeline, hosts: string[], events: readonly Recorded[], g: Geometry): string {
  const height = g.top + hosts.length * g.rowHeight + 10;
  const total = g.left + g.width + 70;
  const parts: string[] = [];
  const rowY = (i: number) => g.top + i * g.rowHeight;
  hosts.forEach((h, i) => {
    parts.push(
      `<rect class="lane" x="0" y="${rowY(i)}" width="${total}" height="${g.rowHeight}" style="fill:${i % 2 ? '#fafafa' : '#f2f4f6'}"/>`,
    );
    parts.push(`<text class="host-label" x="8" y="${rowY(i) + g.rowHeight / 2 + 4}">${esc(h)}</text>`);
  });
  const step = tickStep(g.t1 - g.t0);
  for (let t = 0; t <= g.t1 - g.t0; t += step) {
    const tx = x(g, g.t0 + t);
    parts.push(`<line class="tick" x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${g.top - 4}" y2="${height - 10}"/>`);
    parts.push(`<text class="tick-label" x="${tx.toFixed(1)}" y="${g.top - 8}">${esc(seconds(t))}</text>`);
  }
  // Marker labels go in the first of four lanes above the axis where they do not overlap the one before.
  const lanes = [g.top - 22, g.top - 32, g.top - 42, g.top - 52];
  const laneEnds = lanes.map(() => -Infinity);
  const label = (at: number, text: string, cls: string) => {
    const lane = laneEnds.findIndex((end) => at > end + 4);
    if (lane < 0) return;
    laneEnds[lane] = at + text.length * 5.6;
    parts.push(`<text class="marker-label ${cls}" x="${at.toFixed(1)}" y="${lanes[lane]}">${esc(text)}</text>`);
  };
  for (const row of timeline.rows) {
    if (row.step === 'switchback') {
      const x0 = x(g, row.startedAt);
      const x1 = x(g, row.endedAt ?? g.t1);
      parts.push(
        `<rect class="switchback-band" x="${x0.toFixed(1)}" y="${g.top}" width="${Math.max(2, x1 - x0).toFixed(1)}" height="${hosts.length * g.rowHeight}"><title>${esc(rowLabel(row))}</title></rect>`,
      );
      label(x0, 'switchback', 'switchback-label');
    }
    if (row.batch) {
      const bx = x(g, row.startedAt);
      parts.push(
        `<line class="batch-line" x1="${bx.toFixed(1)}" x2="${bx.toFixed(1)}" y1="${g.top - 16}" y2="${height - 10}"><title>${esc(rowLabel(row))}</title></line>`,
      );
      label(bx + 3, `${row.batch.role} ${row.batch.index}/${row.batch.of}`, 'batch-label');
    }
  }
  for (const row of timeline.rows) {
    for (const h of row.hosts.values()) {
      const i = hosts.indexOf(h.host);
      if (i >= 0 && (h.startedAt !== undefined || row.endedAt !== undefined)) parts.push(bar(g, row, h, rowY(i), i));
    }
  }
  for (const { at, event: e } of events) {
    if (e.type === 'health') {
      const i = hosts.indexOf(e.host);
      if (i >= 0)
        parts.push(
          `<circle class="health ${e.ok ? 'ok' : 'bad'}" cx="${x(g, at).toFixed(1)}" cy="${rowY(i) + g.rowHeight - 4}" r="2.5"><title>${esc(`${e.host} health attempt ${e.attempt}: ${e.ok ? 'healthy' : 'unhealthy'}${e.status ? ` HTTP ${e.status}` : ''}`)}</title></circle>`,
        );
    } else if (e.type === 'lock' && (e.action === 'acquired' || e.action === 'released' || e.action === 'taken-over')) {
      const i = hosts.indexOf(e.host);
      if (i >= 0)
        parts.push(
          `<path class="lock-mark" d="M${x(g, at).toFixed(1)},${rowY(i) + 3} l4,5 l-4,5 l-4,-5 z"><title>${esc(`lock ${e.action} on ${e.host}`)}</title></path>`,
        );
    }
  }
  return `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${total} ${height}" width="${total}" height="${height}" role="img" aria-label="timeline: hosts by steps">${parts.join('')}</svg>`;
}

function summaryTable(summary: RunSummary | undefined): string {
  if (!summary || summary.hosts.length === 0) return '';
  const row = (h: HostSummary) =>
    `<tr class="host-summary ${esc(h.outcome)}" data-host="${esc(h.host)}"><td>${esc(h.host)}</td><td>${esc(h.previous ?? '–')}</td><td>${esc(h.release ?? '–')}</td>` +
    `<td><span class="outcome ${esc(h.outcome)}">${esc(h.outcome)}</span></td><td class="num">${esc(seconds(h.durationMs))}</td>` +
    `<td class="steps">${Object.entries(h.steps ?? {})
      .map(([s, ms]) => `<span class="chip" style="border-color:${stepColor(s)}">${esc(s)} ${esc(seconds(ms))}</span>`)
      .join(' ')}</td></tr>`;
  return `<table class="summary"><thead><tr><th>host</th><th>previous</th><th>release</th><th>outcome</th><th>time</th><th>steps</th></tr></thead><tbody>${summary.hosts.map(row).join('')}</tbody></table>`;
}

/** The traffic canary's window: its verdict and numbers, canary beside the rest, and the samples as they came. */
function canarySection(events: readonly Recorded[]): string {
  const seen = events.map((r) => r.event).filter((e): e is CanaryEvent => e.type === 'canary');
  const verdict = seen.find((e) => e.phase === 'verdict');
  const last = verdict ?? seen[seen.length - 1];
  if (!last) return '';
  const state = verdict ? (verdict.ok ? 'passed' : 'failed') : 'not judged';
  const row = (what: string, n: TrafficNumbers) =>
    `<tr><td>${esc(what)}</td><td class="num">${n.requests}</td><td class="num">${n.errors}</td><td class="num">${esc(formatRate(n.errorRate))}</td>` +
    `<td class="num">${n.p95Ms ?? '–'}</td><td class="num">${n.avgMs ?? '–'}</td></tr>`;
  const limits = `limits: error rate ${formatRate(last.limits.maxErrorRate)}${last.limits.maxP95Ms !== undefined ? `, response time ${last.limits.maxP95Ms} ms` : ''}`;
  const samples = seen.filter((e) => e.phase !== 'start').map((e) => `<li>${esc(canaryLine(e))}</li>`);
  return (
    `<h2>Canary</h2><div class="canary ${state === 'passed' ? 'ok' : 'bad'}" data-verdict="${esc(state)}"><p>${esc(last.hosts.join(', '))} at ${esc(formatRate(last.share))} of the requests, ` +
    `${esc(seconds(last.elapsedMs))} of a ${esc(seconds(last.windowMs))} window: <strong>${esc(state)}</strong>${verdict?.reason ? ` (${esc(verdict.reason)})` : ''}; ${esc(limits)}</p>` +
    `<table class="summary"><thead><tr><th></th><th>requests</th><th>errors</th><th>error rate</th><th>p95 ms</th><th>avg ms</th></tr></thead><tbody>` +
    `${row(`canary (${last.hosts.join(', ')})`, last.canary)}${row('the rest', last.rest)}</tbody></table>` +
    `<details><summary>${samples.length} readings</summary><ul>${samples.join('')}</ul></details></div>`
  );
}

/** The watch after the switch: its window, the fleet's numbers, the verdict, and the rollback it caused. */
function watchSection(events: readonly Recorded[]): string {
  const all = events.map((r) => r.event);
  const seen = all.filter((e): e is WatchEvent => e.type === 'watch');
  const end = seen.find((e) => e.phase === 'verdict' || e.phase === 'interrupted');
  const last = end ?? seen[seen.length - 1];
  if (!last) return '';
  const state = end?.phase === 'interrupted' ? 'interrupted' : end ? (end.ok ? 'passed' : 'failed') : 'not judged';
  const f = last.fleet;
  const limits = `limits: error rate ${formatRate(last.limits.maxErrorRate)}${last.limits.health ? ', health checks' : ''}`;
  const health = !last.limits.health ? 'not asked' : last.unhealthy.length > 0 ? `unhealthy: ${last.unhealthy.join(', ')}` : 'healthy';
  // What the rollback after a failed verdict did: each host's move, and whether its switch ended well.
  const after = end && end.ok === false ? all.slice(all.indexOf(end) + 1) : [];
  const moves = after.filter((e): e is Extract<DeployEvent, { type: 'release' }> => e.type === 'release');
  const back = new Set(after.flatMap((e) => (e.type === 'host:end' && e.step === 'switch' && e.ok ? [e.host] : [])));
  const rollback =
    moves.length === 0
      ? ''
      : `<p class="watch-rollback" data-ok="${moves.every((m) => back.has(m.host))}">rolled back: ` +
        `${moves.map((m) => esc(`${m.host} ${m.previous ?? '–'} → ${m.release}${back.has(m.host) ? '' : ' (not switched: see the error above)'}`)).join(', ')}</p>`;
  const samples = seen.filter((e) => e.phase !== 'start').map((e) => `<li>${esc(watchLine(e))}</li>`);
  return (
    `<h2>Watch</h2><div class="watch ${state === 'failed' ? 'bad' : 'ok'}" data-verdict="${esc(state)}"><p>${esc(last.hosts.join(', '))}, ` +
    `${esc(seconds(last.elapsedMs))} of a ${esc(seconds(last.windowMs))} window: <strong>${esc(state)}</strong>${end?.reason ? ` (${esc(end.reason)})` : ''}; ${esc(limits)}</p>` +
    `<table class="summary"><thead><tr><th></th><th>requests</th><th>errors</th><th>error rate</th><th>p95 ms</th><th>avg ms</th><th>health</th></tr></thead><tbody>` +
    `<tr><td>the fleet</td><td class="num">${f.requests}</td><td class="num">${f.errors}</td><td class="num">${esc(formatRate(f.errorRate))}</td>` +
    `<td class="num">${f.p95Ms ?? '–'}</td><td class="num">${f.avgMs ?? '–'}</td><td>${esc(health)}</td></tr></tbody></table>${rollback}` +
    `<details><summary>${samples.length} readings</summary><ul>${samples.join('')}</ul></details></div>`
  );
}

/** A selective beta started, ended or was promoted: its hosts, release and mark, and the live release beside it. */
function betaSection(events: readonly Recorded[]): string {
  const seen = events.map((r) => r.event).filter((e): e is Extract<DeployEvent, { type: 'beta' }> => e.type === 'beta');
  const b = seen[seen.length - 1];
  if (!b) return '';
  const release = `${b.release}${b.revision ? ` (revision ${b.revision})` : ''}`;
  const live = b.live ?? 'not one release (the beta hosts served different ones before)';
  const text = {
    start: `${b.hosts.join(', ')} serve beta release ${release} to the requests with the ${b.mark}; every other request: live release ${live}`,
    end: `beta release ${release} ended: ${b.hosts.join(', ')} serve live release ${live} again, and requests with the ${b.mark} go to the live pool`,
    promote: `beta release ${release} promoted: every host serves it now (it replaced live release ${live}), and requests with the ${b.mark} go to the live pool`,
  }[b.action];
  return (
    `<h2>Beta</h2><div class="beta" data-action="${esc(b.action)}"><p>${esc(text)}</p>` +
    `<table class="summary"><tbody><tr><th>hosts</th><td>${esc(b.hosts.join(', '))}</td></tr><tr><th>beta release</th><td>${esc(release)}</td></tr>` +
    `<tr><th>mark</th><td>${esc(b.mark)}</td></tr><tr><th>live release</th><td>${esc(b.live ?? '–')}</td></tr></tbody></table></div>`
  );
}

function failures(timeline: Timeline): string {
  const failed = timeline.rows.flatMap((r) => [...r.hosts.values()].filter((h) => h.state === 'failed').map((h) => ({ r, h })));
  if (failed.length === 0) return '';
  return `<h2>Failures</h2>${failed
    .map(
      ({ r, h }) => `<div class="failure"><h3>${esc(h.host)} · ${esc(rowLabel(r))}</h3><pre>${esc(failureLines(h).join('\n'))}</pre></div>`,
    )
    .join('')}`;
}

function skips(timeline: Timeline): string {
  const skipped = timeline.rows.flatMap((r) => [...r.hosts.values()].filter((h) => h.skipped !== undefined).map((h) => ({ r, h })));
  if (skipped.length === 0) return '';
  return `<h2>Skipped</h2><ul class="skips">${skipped.map(({ r, h }) => `<li>${esc(h.host)} · ${esc(rowLabel(r))}: skipped: ${esc(h.skipped!)}</li>`).join('')}</ul>`;
}

function commandLog(hosts: string[], events: readonly Recorded[], t0: number): string {
  const byHost = new Map<string, string[]>(hosts.map((h) => [h, []]));
  const shown = new Map<string, number>();
  for (const { at, event: e } of events) {
    if (!('host' in e) || typeof e.host !== 'string') continue;
    const lines = byHost.get(e.host) ?? [];
    byHost.set(e.host, lines);
    const t = `<span class="t">+${esc(seconds(at - t0))}</span> `;
    if (e.type === 'command') {
      shown.set(e.host, 0);
      lines.push(`${t}<span class="cmd">[${esc(e.step)}] $ ${esc(e.command)}</span>`);
    } else if (e.type === 'output') {
      const n = (shown.get(e.host) ?? 0) + 1;
      shown.set(e.host, n);
      if (n <= REPORT_LINES_PER_COMMAND) lines.push(`${t}<span class="${e.stream}">${esc(e.line)}</span>`);
      else if (n === REPORT_LINES_PER_COMMAND + 1) lines.push(`${t}<span class="more">… more in .deploy/logs</span>`);
    } else if (e.type === 'command:exit') {
      lines.push(`${t}<span class="exit ${e.code === 0 ? 'ok' : 'bad'}">exit ${e.code} in ${esc(seconds(e.durationMs))}</span>`);
    } else if (e.type === 'skipped') {
      lines.push(`${t}<span class="skipped">[${esc(e.step)}] skipped: ${esc(e.reason)}</span>`);
    } else if (e.type === 'host:end' && !e.ok) {
      lines.push(`${t}<span class="bad">[${esc(e.step)}] FAILED: ${esc(e.error ?? '')}</span>`);
    }
  }
  return `<h2>Commands</h2>${[...byHost]
    .filter(([, lines]) => lines.length > 0)
    .map(
      ([h, lines]) =>
        `<details class="host-log" data-host="${esc(h)}"><summary>${esc(h)} · ${lines.length} lines</summary><pre>${lines.join('\n')}</pre></details>`,
    )
    .join('')}`;
}

function legend(timeline: Timeline): string {
  const steps = [...new Set(timeline.rows.map((r) => r.step))];
  return `<div class="legend">${steps.map((s) => `<span class="key"><i style="background:${stepColor(s)}"></i>${esc(s)}</span>`).join('')}<span class="key"><i style="background:${FAILED}"></i>failed</span><span class="key"><i class="band"></i>switchback</span><span class="key"><i class="batch"></i>batch start</span></div>`;
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2733;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}h3{font-size:14px;margin:0 0 6px}
.meta{color:#56616d;margin-bottom:16px}.badge{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
.badge.success{background:#2e7d32}.badge.failed,.badge.interrupted{background:${FAILED}}.badge.switched-back{background:#ef6c00}
.error{background:#fdecea;border-left:4px solid ${FAILED};padding:8px 12px;white-space:pre-wrap;font:12px/1.4 ui-monospace,monospace}
.scroll{overflow-x:auto;border:1px solid #e3e7eb;border-radius:6px}
svg.timeline{display:block}.host-label{font:600 12px ui-monospace,monospace;fill:#1d2733}
.tick{stroke:#d5dae0;stroke-width:1}.tick-label{font:10px system-ui;fill:#7b8794;text-anchor:middle}
.bar{stroke:rgba(0,0,0,.25);stroke-width:.5;cursor:default}.bar.failed{stroke:#7f0000;stroke-width:1.5}
.bar-group:hover .bar{stroke:#000;stroke-width:1.5}.bar-label{font:10px system-ui;fill:#102030;pointer-events:none}
.dim .bar{opacity:.25}.dim .bar.hl{opacity:1}
.batch-line{stroke:#37474f;stroke-width:1;stroke-dasharray:4 3}.marker-label{font:10px system-ui;fill:#37474f}
.switchback-band{fill:rgba(251,140,0,.12);stroke:#fb8c00;stroke-dasharray:3 3}.switchback-label{fill:#e65100;font-weight:600}
.health.ok{fill:#2e7d32}.health.bad{fill:${FAILED}}.lock-mark{fill:#37474f}
.legend{margin:8px 0;display:flex;flex-wrap:wrap;gap:12px;color:#56616d;font-size:12px}.key i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-2px}
.key i.band{background:rgba(251,140,0,.25);border:1px dashed #fb8c00}.key i.batch{width:0;border-left:1px dashed #37474f;border-radius:0}
table.summary{border-collapse:collapse;min-width:60%}table.summary th,table.summary td{padding:4px 10px;border-bottom:1px solid #e3e7eb;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}.outcome{font-weight:600;white-space:nowrap}.outcome.deployed{color:#2e7d32}.outcome.failed{color:${FAILED}}.outcome.switched-back{color:#ef6c00}.outcome.unchanged{color:#56616d}
.chip{display:inline-block;border-left:4px solid;padding:0 4px;margin:1px 2px;font-size:11px;background:#f5f7f9}
.failure{border:1px solid #f5c6c4;border-radius:6px;padding:8px 12px;margin:8px 0;background:#fffafa}.failure pre{margin:0;white-space:pre-wrap;font:12px/1.4 ui-monospace,monospace}
details.host-log{margin:4px 0}details.host-log pre{font:12px/1.35 ui-monospace,monospace;background:#f7f9fb;padding:8px;overflow-x:auto;max-height:480px}
.t{color:#9aa5b1}.cmd{color:#0d47a1}.stderr{color:#8d6e00}.exit.ok{color:#2e7d32}.exit.bad,.bad{color:${FAILED}}.more{color:#7b8794;font-style:italic}.skipped{color:#8d6e00}
`;

// Hovering a bar highlights that step occurrence on every host; clicking opens the host's command log.
const JS = `
document.querySelectorAll('rect.bar').forEach(function(b){
  var svg=b.ownerSVGElement,row=b.getAttribute('data-row');
  b.addEventListener('mouseenter',function(){svg.classList.add('dim');svg.querySelectorAll('rect.bar[data-row="'+row+'"]').forEach(function(o){o.classList.add('hl')})});
  b.addEventListener('mouseleave',function(){svg.classList.remove('dim');svg.querySelectorAll('rect.bar.hl').forEach(function(o){o.classList.remove('hl')})});
  b.addEventListener('click',function(){var d=document.querySelector('details.host-log[data-host="'+b.getAttribute('data-host')+'"]');if(d){d.open=true;d.scrollIntoView({behavior:'smooth'})}});
});
`;

/**
 * The HTML report of a run: one self-contained file (inline CSS, JS and SVG; nothing fetched) with the outcome,
 * the per-host summary, a timeline of hosts × steps (bars with durations, failures in red, batch starts and the
 * switchback marked), the failures with their output, and every command per host. Pure: events in, HTML out.
 */
export function renderReport(events: readonly Recorded[], options: { title?: string } = {}): string {
  const timeline = new Timeline();
  let start: RunStart | undefined;
  let end: RunEnd | undefined;
  let t0 = events[0]?.at ?? 0;
  let t1 = events[events.length - 1]?.at ?? t0;
  for (const { at, event } of events) {
    timeline.apply(event, at);
    if (event.type === 'run:start') [start, t0] = [event, at];
    if (event.type === 'run:end') [end, t1] = [event, at];
  }
  const hosts = [...(start?.hosts ?? [])];
  for (const r of timeline.rows) for (const h of r.hosts.keys()) if (!hosts.includes(h)) hosts.push(h);
  const g: Geometry = { t0, t1: Math.max(t1, t0 + 1), left: 110, width: 960, rowHeight: 26, top: 72 };
  const outcome = end?.outcome ?? 'interrupted';
  const title =
    options.title ??
    `${start?.verb ?? 'run'} ${start?.stage ?? ''}${end?.summary?.release ? ` → ${end.summary.release}` : start?.release ? ` → ${start.release}` : ''}`;
  const meta = [
    start?.release ? `release ${start.release}` : '',
    end?.summary?.revision ? `revision ${end.summary.revision}` : '',
    `started ${new Date(t0).toISOString()}`,
    `took ${seconds(end?.durationMs ?? t1 - t0)}`,
    end ? `exit ${end.exitCode}` : 'did not finish',
    start?.dryRun ? 'dry run' : '',
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body data-outcome="${esc(outcome)}">
<h1>${esc(title)} <span class="badge ${esc(outcome)}">${esc(outcome)}</span></h1>
<div class="meta">${meta.map(esc).join(' · ')}</div>
${start?.message ? `<p class="message">${esc(start.message)}</p>` : ''}
${end?.summary?.promotedFrom ? `<p class="promoted">promoted ${esc(promotedText(end.summary.promotedFrom))}</p>` : ''}
${end?.error ? `<div class="error">${esc(end.error)}</div>` : ''}
${summaryTable(end?.summary)}
${canarySection(events)}
${watchSection(events)}
${betaSection(events)}
<h2>Timeline</h2>${legend(timeline)}
<div class="scroll">${timelineSvg(timeline, hosts, events, g)}</div>
${failures(timeline)}
${skips(timeline)}
${commandLog(hosts, events, t0)}
<script>${JS}</script>
</body></html>
`;
}
