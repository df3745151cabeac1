import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  entryMatches,
  fingerprint,
  hashHostName,
  keyTypeOf,
  knownHostsName,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
  verifyHostKey,
} from '../../../src/backends/known-hosts.js';
import { matchPattern, matchPatternList } from '../../../src/backends/host-patterns.js';

/** An ed25519 public key in SSH wire format, as a server sends it. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
}

const A = ed25519Blob();
const B = ed25519Blob();
const C = ed25519Blob();
const line = (hosts: string, key: Buffer, marker = '') => `${marker ? `${marker} ` : ''}${hosts} ssh-ed25519 ${key.toString('base64')}`;

const tmp = mkdtempSync(join(tmpdir(), 'known-hosts-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('host patterns', () => {
  const cases: [string, string, boolean][] = [
    ['web1', 'web1', true],
    ['WEB1', 'web1', true],
    ['web?', 'web1', true],
    ['web?', 'web10', false],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*', 'anything', true],
    ['1*1', '127.0.1.1', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
  ];
  it.each(cases)('%s vs %s → %s', (p, n, want) => expect(matchPattern(p, n)).toBe(want));

  it('negation vetoes, and a list of only negations never matches', () => {
    expect(matchPatternList(['*.example.com', '!db.example.com'], 'web.example.com')).toBe(true);
    expect(matchPatternList(['*.example.com', '!db.example.com'], 'db.example.com')).toBe(false);
    expect(matchPatternList(['!db'], 'web')).toBe(false);
  });
});

describe('parseKnownHosts', () => {
  it('reads names, markers, comments and reports bad lines without failing', () => {
    const text = [
      '# comment',
      '',
      line('web1,127.0.1.1', A),
      line('[127.0.1.2]:2222', B, '@revoked'),
      line('*.example.com', C, '@cert-authority'),
      'garbage',
      'host ssh-ed25519 AAAA',
      '@bogus host ssh-ed25519 AAAA',
      `${hashHostName('h')} ssh-rsa ${A.toString('base64')}`,
      '|1|bad|hash ssh-ed25519 AAAA',
    ].join('\n');
    const { entries, problems } = parseKnownHosts(text, 'kh');
    expect(entries.map((e) => [e.line, e.marker ?? '', e.keyType])).toEqual([
      [3, '', 'ssh-ed25519'],
      [4, 'revoked', 'ssh-ed25519'],
      [5, 'cert-authority', 'ssh-ed25519'],
    ]);
    expect(entries[0]!.hosts).toEqual({ kind: 'patterns', patterns: ['web1', '127.0.1.1'] });
    expect(entries[0]!.key.equals(A)).toBe(true);
    expect(problems).toEqual([
      'kh:6: expected "hosts keytype key"',
      'kh:7: key does not decode as ssh-ed25519',
      'kh:8: unknown marker @bogus',
      'kh:9: key does not decode as ssh-rsa',
      'kh:10: malformed hashed host entry',
    ]);
  });
});

describe('knownHostsName', () => {
  it.each([
    ['127.0.1.1', 22, undefined, '127.0.1.1'],
    ['127.0.1.1', 2222, undefined, '[127.0.1.1]:2222'],
    ['Web.Example.com', 22, undefined, 'web.example.com'],
    ['127.0.1.1', 2222, 'web1', 'web1'],
  ] as const)('%s port %d alias %s → %s', (address, port, alias, want) => expect(knownHostsName(address, port, alias)).toBe(want));
});

describe('verifyHostKey', () => {
  const kh = parseKnownHosts(
    [
      line('web1,127.0.1.1', A),
      line('[127.0.1.2]:2222', B),
      line('*.example.com,!evil.example.com', C),
      line('127.0.1.3', A),
      line('127.0.1.3', B),
    ].join('\n'),
    'kh',
  ).entries;

  const cases: [string, Buffer, string][] = [
    ['127.0.1.1', A, 'trusted'],
    ['web1', A, 'trusted'],
    ['127.0.1.1', B, 'changed'],
    ['[127.0.1.2]:2222', B, 'trusted'],
    ['127.0.1.2', B, 'unknown'],
    ['[127.0.1.1]:2222', A, 'unknown'],
    ['app.example.com', C, 'trusted'],
    ['evil.example.com', C, 'unknown'],
    ['127.0.1.3', B, 'trusted'],
    ['127.0.1.9', A, 'unknown'],
  ];
  it.each(cases)('%s offering key → %s', (name, key, want) => expect(verifyHostKey(kh, name, key).kind).toBe(want));

  it('says which entries the changed key should have matched', () => {
    const v = verifyHostKey(kh, '127.0.1.1', C);
    expect(v.kind).toBe('changed');
    if (v.kind === 'changed') expect(v.expected.map((e) => `${e.file}:${e.line}`)).toEqual(['kh:1']);
  });

  it('refuses a revoked key for every host name, even one that also trusts it', () => {
    const withRevoked = parseKnownHosts(`${line('web1', A)}\n${line('other', A, '@revoked')}`, 'kh').entries;
    const v = verifyHostKey(withRevoked, 'web1', A);
    expect(v.kind).toBe('revoked');
    if (v.kind === 'revoked') expect(v.entry.line).toBe(2);
  });

  it('never trusts through a @cert-authority line', () => {
    const ca = parseKnownHosts(line('*', A, '@cert-authority'), 'kh').entries;
    expect(verifyHostKey(ca, 'web1', A).kind).toBe('unknown');
  });
});

describe('hashed entries', () => {
  it('matches what ssh-keygen -H writes, for plain and [host]:port names', () => {
    const file = join(tmp, 'known_hosts');
    writeFileSync(file, `${line('web1,127.0.1.1', A)}\n${line('[127.0.1.2]:2222', B)}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('web1');
    const { entries, problems } = parseKnownHosts(text, file);
    expect(problems).toEqual([]);
    expect(entries.every((e) => e.hosts.kind === 'hashed')).toBe(true);
    expect(verifyHostKey(entries, 'web1', A).kind).toBe('trusted');
    expect(verifyHostKey(entries, '127.0.1.1', A).kind).toBe('trusted');
    expect(verifyHostKey(entries, '127.0.1.1', B).kind).toBe('changed');
    expect(verifyHostKey(entries, '[127.0.1.2]:2222', B).kind).toBe('trusted');
    expect(verifyHostKey(entries, '127.0.1.2', B).kind).toBe('unknown');
  });

  it('hashHostName round-trips and is case-insensitive like OpenSSH', () => {
    const [entry] = parseKnownHosts(line(hashHostName('Web1.Example.com'), A), 'kh').entries;
    expect(entryMatches(entry!, 'web1.example.com')).toBe(true);
    expect(entryMatches(entry!, 'web2.example.com')).toBe(false);
  });

  it('is what ssh-keygen -F finds', () => {
    const file = join(tmp, 'hashed_by_us');
    writeFileSync(file, `${line(hashHostName('[10.0.0.5]:2200'), C)}\n`);
    const found = execFileSync('ssh-keygen', ['-F', '[10.0.0.5]:2200', '-f', file], { encoding: 'utf8' });
    expect(found).toContain(C.toString('base64'));
  });
});

describe('fingerprint and key type', () => {
  it('prints the same SHA256 fingerprint as ssh-keygen -l', () => {
    const file = join(tmp, 'key.pub');
    writeFileSync(file, `ssh-ed25519 ${A.toString('base64')} test\n`);
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { encoding: 'utf8' });
    expect(out.split(' ')[1]).toBe(fingerprint(A));
    expect(fingerprint(A)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('reads the type from the blob and rejects garbage', () => {
    expect(keyTypeOf(A)).toBe('ssh-ed25519');
    expect(keyTypeOf(Buffer.from([0, 0]))).toBe('');
    expect(keyTypeOf(Buffer.from([0, 0, 0, 200, 1]))).toBe('');
  });
});

describe('preferredHostKeyAlgorithms', () => {
  it('puts the key types known for the host first', () => {
    const rsaBlob = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('ssh-rsa'), Buffer.from([0, 0, 0, 1, 1])]);
    const entries = parseKnownHosts(`web1 ssh-rsa ${rsaBlob.toString('base64')}\n${line('web2', A)}`, 'kh').entries;
    expect(preferredHostKeyAlgorithms(entries, 'web1').slice(0, 4)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
    expect(preferredHostKeyAlgorithms(entries, 'web2')[0]).toBe('ssh-ed25519');
    expect(preferredHostKeyAlgorithms(entries, 'unknown')[0]).toBe('ssh-ed25519');
  });
});
