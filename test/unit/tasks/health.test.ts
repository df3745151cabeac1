import { describe, expect, it } from 'vitest';
import { describeAnswer, redirectHint } from '../../../src/tasks/health.js';

const answer = (response: Parameters<typeof describeAnswer>[0]['response'], error = '') => ({ ok: false, response, error });

describe('what a failing health check says', () => {
  it.each([
    [
      'a redirect: its status line and Location',
      answer({ status: 302, body: '', statusLine: 'HTTP/1.1 302 Found', location: '/accounts/login/?next=/' }),
      'HTTP/1.1 302 Found, Location: /accounts/login/?next=/',
    ],
    [
      'a status with a body',
      answer({ status: 500, body: '{"ok":false}', statusLine: 'HTTP/1.1 500 Internal Server Error' }),
      'HTTP 500: {"ok":false}',
    ],
    ['nothing answered', answer({ status: 0, body: '' }, 'curl: (7) Failed to connect'), 'no answer (curl: (7) Failed to connect)'],
  ])('%s', (_, a, expected) => expect(describeAnswer(a)).toBe(expected));

  it('says what to do about an unexpected redirect', () => {
    const redirect = { status: 301, body: '', location: 'https://x/' };
    expect(redirectHint({ status: 200, followRedirects: false }, redirect)).toBe(
      'point health.path at a page that answers without a redirect, or set health.follow_redirects: true',
    );
    expect(redirectHint({ status: 200, followRedirects: true }, redirect)).toMatch(/more than 5 hops/);
    expect(redirectHint({ status: 301, followRedirects: false }, redirect)).toBeUndefined();
    expect(redirectHint({ status: 200, followRedirects: false }, { status: 500, body: '' })).toBeUndefined();
  });
});
