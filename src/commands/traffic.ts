import { raw, read, type Command } from '../shell/command.js';
import { ifThen, test } from './sh.js';

/** haproxy takes weights from 0 to 256; nginx any positive integer, kept in the same range. */
export const MAX_WEIGHT = 256;

export interface ShareWeights {
  /** Weight of each canary server. */
  readonly canary: number;
  /** Weight of each other serving server. */
  readonly rest: number;
  /** The share of requests the canary servers get with these weights (0–1). */
  readonly share: number;
}

/**
 * Integer weights (1–256) that give `canaries` servers together `share` of the requests and `others` servers the
 * rest, as closely as such weights can.
 */
export function shareWeights(canaries: number, others: number, share: number): ShareWeights {
  if (!Number.isInteger(canaries) || canaries < 1) throw new RangeError(`need at least one canary server, got ${canaries}`);
  if (!Number.isInteger(others) || others < 1) throw new RangeError(`need at least one other server, got ${others}`);
  if (!(share > 0 && share < 1)) throw new RangeError(`a share must be above 0 and below 1, got ${share}`);
  let best: ShareWeights | undefined;
  for (let rest = 1; rest <= MAX_WEIGHT; rest++) {
    const canary = Math.min(MAX_WEIGHT, Math.max(1, Math.round((share * others * rest) / (canaries * (1 - share)))));
    const got = (canaries * canary) / (canaries * canary + others * rest);
    if (!best || Math.abs(got - share) < Math.abs(best.share - share) - 1e-12) best = { canary, rest, share: got };
  }
  return best!;
}

/** The access log's size in bytes (0 when it does not exist yet): where a traffic window starts reading. */
export const accessLogSize = (file: string): Command =>
  read(ifThen(test('-f', file), ['stat', '-c', '%s', file], ['echo', '0']), { description: `size of the access log ${file}` });

/**
 * The access log from byte `offset` (0-based) on, at most `maxBytes` of it; the last line may be cut off there (the
 * parser leaves it for the next read). Nothing when the file does not exist.
 */
export function readAccessLog(file: string, offset: number, maxBytes: number): Command {
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be a whole number >= 0, got ${offset}`);
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a whole number >= 1, got ${maxBytes}`);
  return read(ifThen(test('-f', file), ['tail', '-c', `+${offset + 1}`, file, raw('|'), 'head', '-c', String(maxBytes)]), {
    description: `read the access log ${file} from byte ${offset}`,
  });
}
