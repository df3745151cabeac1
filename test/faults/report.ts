/** The sweep's result table: point × kind × balancer → held / broken (which invariant, one line why). */
import type { PointResult } from './harness.js';

const width = (rows: string[][], i: number) => Math.max(...rows.map((r) => (r[i] ?? '').length));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => width(rows, i));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

export function verdict(r: PointResult): string {
  if (r.diverged) return `not run: ${r.diverged}`;
  if (r.disturbed) return `not judged: ${r.disturbed}`;
  if (r.held) return 'held';
  const first = r.broken[0] ?? r.brokenAfterRecovery[0];
  const all = [...new Set([...r.broken.map((b) => b.invariant), ...r.brokenAfterRecovery.map((b) => `${b.invariant}(next)`)])];
  return `BROKEN ${all.join(',')}: ${first?.why ?? ''}`;
}

export function point(r: PointResult): string {
  const i = r.injection;
  return i.n !== undefined ? `${i.verb} ${i.host}:${i.n}` : `${i.verb} ${i.host} at ${i.when?.label ?? '?'}`;
}

export function resultTable(results: readonly PointResult[]): string {
  const rows = [['point', 'step', 'description', 'kind', 'balancer', 'exit', 'next', 'result']];
  for (const r of results) {
    const i = r.injection;
    rows.push([
      point(r),
      i.step,
      i.description.slice(0, 48),
      i.kind,
      r.balancer,
      String(r.exit ?? 'killed'),
      String(r.recoveryExit ?? '-'),
      verdict(r),
    ]);
  }
  return table(rows);
}

export function summaryLine(results: readonly PointResult[]): string {
  const run = results.filter((r) => !r.diverged && !r.disturbed);
  const held = run.filter((r) => r.held).length;
  const skipped = results.length - run.length;
  return `covered ${run.length} injection points, ${held} held${skipped ? ` (${skipped} more not judged: the run diverged from the listing or the fleet was disturbed)` : ''}`;
}

/** How many points broke each invariant, most first. */
export function byInvariant(results: readonly PointResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) {
    for (const inv of new Set([
      ...r.broken.map((b) => b.invariant),
      ...r.brokenAfterRecovery.map((b) => `${b.invariant} (after the next deploy)`),
    ])) {
      counts.set(inv, (counts.get(inv) ?? 0) + 1);
    }
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([inv, n]) => `  ${inv}: ${n}`)
    .join('\n');
}

/** Markdown for docs/reliability.md. */
export function markdownTable(results: readonly PointResult[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    '| point | step | description | kind | balancer | exit | next | result |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const i = r.injection;
    lines.push(
      `| ${esc(point(r))} | ${i.step} | ${esc(i.description.slice(0, 48))} | ${i.kind} | ${r.balancer} | ${r.exit ?? 'killed'} | ${r.recoveryExit ?? '-'} | ${esc(verdict(r))} |`,
    );
  }
  return lines.join('\n');
}
