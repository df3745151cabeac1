import type { PromotedFrom, RevisionLogEntry, RevisionOutcome } from '../commands/log.js';
import type { Paths } from '../commands/paths.js';
import { ifThen, test } from '../commands/sh.js';
import { read } from '../shell/command.js';
import { fact, lines, type Fact } from './fact.js';

export interface MalformedLine {
  /** 1-based, within the output read. */
  readonly line: number;
  readonly text: string;
  readonly error: string;
}

export interface RevisionLog {
  readonly entries: readonly RevisionLogEntry[];
  readonly malformed: readonly MalformedLine[];
}

const FIELDS = ['release', 'revision', 'user', 'time', 'stage', 'outcome'] as const;
const OUTCOMES: readonly string[] = ['deployed', 'failed', 'rolled-back'] satisfies RevisionOutcome[];

function parseEntry(text: string): RevisionLogEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  const missing = FIELDS.filter((f) => typeof record[f] !== 'string');
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  if (!OUTCOMES.includes(record.outcome as string)) return `unknown outcome ${JSON.stringify(record.outcome)}`;
  const message = typeof record.message === 'string' && record.message !== '' ? { message: record.message } : {};
  const from = promotedFrom(record.from);
  return Object.freeze({
    ...Object.fromEntries(FIELDS.map((f) => [f, record[f]])),
    ...message,
    ...(from ? { from } : {}),
    ...(record.late === true ? { late: true } : {}),
  }) as unknown as RevisionLogEntry;
}

/** A `from` that is not the shape commands/log.ts writes is left out, not fatal: the line still counts. */
function promotedFrom(value: unknown): PromotedFrom | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.stage !== 'string' || typeof r.release !== 'string' || typeof r.revision !== 'string') return undefined;
  return Object.freeze({
    stage: r.stage,
    release: r.release,
    revision: r.revision,
    ...(typeof r.sha256 === 'string' ? { sha256: r.sha256 } : {}),
    ...(r.beta === true ? { beta: true as const } : {}),
  });
}

/** JSON lines → entries in file order; lines that are not entries are reported, not fatal. */
export function parseRevisionLog(stdout: string): RevisionLog {
  const entries: RevisionLogEntry[] = [];
  const malformed: MalformedLine[] = [];
  lines(stdout).forEach((text, i) => {
    if (text.trim() === '') return;
    const entry = parseEntry(text);
    if (typeof entry === 'string') malformed.push({ line: i + 1, text, error: entry });
    else entries.push(entry);
  });
  return { entries, malformed };
}

/** The last `limit` entries (all when omitted); nothing when the log does not exist yet. */
export function revisionLog(p: Paths, limit?: number): Fact<RevisionLog> {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new RangeError(`limit must be >= 1, got ${limit}`);
  }
  const show = limit === undefined ? ['cat', p.revisionsLog] : ['tail', '-n', String(limit), p.revisionsLog];
  return fact(read(ifThen(test('-f', p.revisionsLog), show), { description: 'read the revision log' }), parseRevisionLog);
}
