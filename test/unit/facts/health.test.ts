import { describe } from 'vitest';
import { healthCheck, parseHealthResponse } from '../../../src/facts/health.js';
import { fails, parses, probes } from './table.js';

describe('health response', () => {
  probes([
    [
      'healthCheck',
      healthCheck({ address: '10.0.0.5', port: 3000, path: '/up', timeout: 3 }),
      "curl -sS -g -D - -w '\\n%{http_code}' --max-time 3 http://10.0.0.5:3000/up",
    ],
  ]);

  parses('parseHealthResponse', parseHealthResponse, [
    ['ok with a body', 'OK\n200', { status: 200, body: 'OK' }],
    ['body ending in a newline', '{"ok":true}\n\n200', { status: 200, body: '{"ok":true}\n' }],
    ['a final newline after the code', 'up\n503\n', { status: 503, body: 'up' }],
    ['empty body', '\n204', { status: 204, body: '' }],
    ['nothing answered', '\n000', { status: 0, body: '' }],
    ['multi-line body', 'a\nb\nc\n500', { status: 500, body: 'a\nb\nc' }],
    ['no probe ran', '', { status: 0, body: '' }],
    ['no status code', 'hello', fails('no HTTP status')],
    [
      'headers first: the status line and Location of a redirect',
      'HTTP/1.1 302 Found\r\nServer: gunicorn\r\nLocation: /accounts/login/?next=/\r\nContent-Length: 0\r\n\r\n\n302',
      { status: 302, body: '', statusLine: 'HTTP/1.1 302 Found', location: '/accounts/login/?next=/' },
    ],
    [
      'redirects followed: the last response counts',
      'HTTP/1.1 301 Moved Permanently\r\nLocation: http://a/b/\r\n\r\nHTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nok\nline 2\n200',
      { status: 200, body: 'ok\nline 2', statusLine: 'HTTP/1.0 200 OK' },
    ],
    [
      'headers of an empty answer',
      'HTTP/1.1 204 No Content\r\n\r\n\n204',
      { status: 204, body: '', statusLine: 'HTTP/1.1 204 No Content' },
    ],
    ['headers, then the time ran out', 'HTTP/1.1 200 OK\r\nX: y\n000', { status: 0, body: '', statusLine: 'HTTP/1.1 200 OK' }],
  ]);
});
