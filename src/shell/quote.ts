const SAFE = /^[A-Za-z0-9_/.:,+@%-]+$/;

/** POSIX single-quoting: the result reads back as exactly `s` in any POSIX shell. Plain words stay bare. */
export function quote(s: string): string {
  if (s.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
