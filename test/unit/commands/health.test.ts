import { describe, expect, it } from 'vitest';
import { healthProbe, healthUrl } from '../../../src/commands/health.js';
import { renders } from './table.js';

describe('health commands', () => {
  renders([
    [
      'healthProbe: body, newline, status code',
      () => healthProbe({ address: '127.0.0.1', port: 3000, path: '/up', timeout: 5 }),
      "curl -sS -g -D - -w '\\n%{http_code}' --max-time 5 http://127.0.0.1:3000/up",
      'read',
    ],
    [
      'healthProbe: IPv6, a path without a slash, shell characters quoted',
      () => healthProbe({ address: '::1', port: 8080, path: 'health?full=1&x=$y', timeout: 2.5 }),
      "curl -sS -g -D - -w '\\n%{http_code}' --max-time 2.5 'http://[::1]:8080/health?full=1&x=$y'",
      'read',
    ],
    [
      'healthProbe: follow redirects, at most 5',
      () => healthProbe({ address: '127.0.0.1', port: 3000, path: '/', timeout: 5, followRedirects: true }),
      "curl -sS -g -D - -L --max-redirs 5 -w '\\n%{http_code}' --max-time 5 http://127.0.0.1:3000/",
      'read',
    ],
  ]);

  it('builds the URL', () => {
    expect(healthUrl({ address: 'localhost', port: 80, path: '' })).toBe('http://localhost:80/');
    expect(healthUrl({ address: '[fe80::1]', port: 80, path: '/' })).toBe('http://[fe80::1]:80/');
  });

  it.each([
    [{ port: 0 }, /port/],
    [{ port: 70000 }, /port/],
    [{ timeout: 0 }, /timeout/],
  ])('refuses %j', (override, error) => {
    expect(() => healthProbe({ address: 'h', port: 80, path: '/', timeout: 1, ...override })).toThrow(error);
  });
});
