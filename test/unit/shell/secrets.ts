/**
 * Secrets that make masking by exact value fail, and the ways a program prints them; shared by the unit tests of
 * the masking and the fleet test of every output channel.
 */
export const SECRETS = {
  /** `"`, `\`, spaces, `/`, `+`, `=`: everything JSON, URL and base64 change. */
  QUOTED: 'pa"ss\\wo rd/x+y=z 42',
  /** Non-ASCII, astral plane included. */
  UNICODE: 'mot-de-passe-é-ü-€-😀',
  /** A key: printed a line at a time. */
  KEY: '-----BEGIN TEST KEY-----\nMIIBVQIBADANBgkqhkiG9w0B\nAQEFAASCAT8wggE7AgEAAkEA\n-----END TEST KEY-----',
} as const;

const asciiJson = (s: string) => JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** base64 of `before + secret + after` (how a secret inside a longer text looks once that is base64-encoded). */
const INSIDE: Record<string, [string, string]> = {
  base64: ['', ''],
  'base64 of a longer text (offset 0)': ['', ':trailer'],
  'base64 of a longer text (offset 1)': ['u:', ''],
  'base64 of a longer text (offset 2)': ['us:', '!'],
  'base64 of user:password (basic auth)': ['deploy:', ''],
  'base64url of JSON (a JWT payload)': ['{"sub":"x","pw":"', '"}'],
};

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** How programs commonly print a value. */
export function encodings(s: string): Record<string, string> {
  const json = (x: string) => JSON.stringify(x).slice(1, -1);
  const inside = Object.fromEntries(
    Object.entries(INSIDE).map(([name, [before, after]]) => {
      const text = name.includes('JSON') ? `${before}${json(s)}${after}` : `${before}${s}${after}`;
      return [name, Buffer.from(text, 'utf8').toString(name.includes('base64url') ? 'base64url' : 'base64')];
    }),
  );
  return {
    'JSON (JavaScript)': JSON.stringify(s),
    'JSON (Python, ASCII only)': asciiJson(s),
    'JSON (PHP, \\/ escaped)': asciiJson(s).replace(/\//g, '\\/'),
    'URL (encodeURIComponent)': encodeURIComponent(s),
    'URL (form, + for space)': new URLSearchParams({ t: s }).toString().slice(2),
    'URL (lower-case hex)': encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    'HTML-escaped': s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
    'shell single-quoted': `'${s.replace(/'/g, `'\\''`)}'`,
    ...inside,
    'base64 unpadded': Buffer.from(s, 'utf8').toString('base64').replace(/=+$/, ''),
    base64url: Buffer.from(s, 'utf8').toString('base64url'),
  };
}

const WINDOW = 8;

/**
 * Strings whose presence in a channel's text means a secret leaked: every 8-character window of each secret and
 * of each encoding (of base64 of a longer text, only of the characters that the secret's bytes alone decide, give
 * or take one); each also as it looks once a channel has JSON- or HTML-escaped it (NDJSON, the report).
 */
export function leaks(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  const windows = (text: string) => {
    for (let i = 0; i + WINDOW <= text.length; i++) out.add(text.slice(i, i + WINDOW));
  };
  for (const s of secrets) {
    s.split('\n').forEach(windows);
    for (const [name, e] of Object.entries(encodings(s))) {
      const around = INSIDE[name];
      if (!around) {
        windows(e);
        continue;
      }
      const secretBytes = name.includes('JSON') ? bytes(JSON.stringify(s)) - 2 : bytes(s);
      const from = Math.ceil((bytes(around[0]) * 4) / 3) + 1;
      windows(e.slice(from, Math.floor(((bytes(around[0]) + secretBytes) * 4) / 3) - 1));
    }
  }
  const html = (l: string) =>
    l.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [...new Set([...out].flatMap((l) => [l, JSON.stringify(l).slice(1, -1), html(l)]))];
}

/** The first leak found in `text`, if any. */
export const leakIn = (text: string, secrets: readonly string[]): string | undefined => leaks(secrets).find((l) => text.includes(l));
