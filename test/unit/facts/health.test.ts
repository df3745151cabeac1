import { describe } from 'vitest';
import { healthCheck, parseHealthResponse } from '../../../src/facts/health.js';
import { fails, parses, probes } from './table.js';

describe('health response', () => {
  probes([
    [
      'healthCheck',
      healthCheck({ address: '10.0.0.5', port: 3000, path: '/up', timeout: 3 }),
      "curl -sS -g -w '\\n%{http_code}' --max-time 3 http://10.0.0.5:3000/up",
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
  ]);
});
