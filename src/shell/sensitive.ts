import { inspect } from 'node:util';

export const MASK = '***';

/** A secret value. Every renderer, logger and JSON encoder sees `***`; only `reveal()` gives the value. */
export class Sensitive {
  readonly #value: string;
  constructor(value: string, readonly label?: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return MASK;
  }
  toJSON(): string {
    return MASK;
  }
  [inspect.custom](): string {
    return MASK;
  }
}

export const isSensitive = (v: unknown): v is Sensitive => v instanceof Sensitive;

/** Replaces every occurrence of the given secret values in text (remote output can echo a secret back). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join(MASK);
  }
  return out;
}
