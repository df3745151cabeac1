import { CHAIN_MARK } from '../commands/chain.js';

const MARKED = new RegExp(`${CHAIN_MARK} (\\d+)\\n`, 'g');

/** One stream of a chain's output split at its marks: the text of each command that ran, in order. */
export function splitChainOutput(text: string): string[] {
  const texts: string[] = [];
  let from = 0;
  for (const m of text.matchAll(MARKED)) {
    texts.push(text.slice(from, m.index));
    from = m.index + m[0].length;
  }
  texts.push(text.slice(from));
  return texts;
}
