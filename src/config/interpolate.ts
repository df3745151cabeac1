/**
 * `${VAR}` and `${VAR:-default}` substitution in deploy.yml values. `$${` is a literal `${`; a `$` not followed
 * by `{` is left alone, so shell snippets keep their `$VAR`s.
 */
export type Lookup = (name: string) => string | undefined;

export type Interpolated =
  | { readonly ok: true; readonly value: string; readonly substituted: boolean }
  | { readonly ok: false; readonly errors: readonly string[] };

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

export function interpolate(text: string, lookup: Lookup): Interpolated {
  if (!text.includes('${')) return { ok: true, value: text, substituted: false };
  let out = '';
  let substituted = false;
  const errors: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const end = text.indexOf('}', i + 2);
    if (end < 0) {
      errors.push(`unterminated \`\${\` (write \`$\${\` for a literal \`\${\`)`);
      break;
    }
    const inner = text.slice(i + 2, end);
    const ref = REFERENCE.exec(inner);
    if (!ref) {
      errors.push(`invalid reference \`\${${inner}}\`: expected \`\${NAME}\` or \`\${NAME:-default}\``);
    } else {
      const [, name = '', fallback] = ref;
      const value = lookup(name);
      // As in POSIX sh, `:-` also replaces a variable that is set but empty.
      const resolved = fallback !== undefined && (value === undefined || value === '') ? fallback : value;
      if (resolved === undefined) {
        errors.push(`variable ${name} is not set; set it in the environment or in .env, or give a default: \`\${${name}:-…}\``);
      } else {
        out += resolved;
        substituted = true;
      }
    }
    i = end + 1;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out, substituted };
}

/**
 * An unquoted YAML value that was `${PORT}` should read as YAML would have read the text: `22` a number,
 * `true` a boolean. Only forms that turn back into the very same text are converted, so `0755` or `1.10`
 * stay strings and nothing is lost when a value ends up in the environment again.
 */
export function readPlain(text: string): string | number | boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?(0|[1-9][0-9]{0,14})$/.test(text)) return Number(text);
  return text;
}
