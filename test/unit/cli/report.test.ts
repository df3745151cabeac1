import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reportError } from '../../../src/cli/report.js';
import { DeployError, ExitCode, StepFailedError } from '../../../src/errors.js';

function report(e: unknown, secrets?: string[]): { code: number; text: string } {
  let text = '';
  const stderr = new Writable({ write: (chunk, _, done) => ((text += String(chunk)), done()) });
  const code = reportError(e, { secrets, stderr });
  return { code, text };
}

describe('reportError', () => {
  const token = 'tok"en\\ é+/=';
  const url = `https://deploy:${token}@git.example/app.git`;

  it('masks secrets in the error line and its hint, in any common encoding', () => {
    const e = new StepFailedError(
      'web1',
      'transfer',
      `command failed with exit code 128: update the git mirror of ${url}`,
      `fatal: unable to access 'https://deploy:${encodeURIComponent(token)}@git.example/'`,
    );
    const { code, text } = report(e, [token]);
    expect(code).toBe(ExitCode.stepFailed);
    expect(text).toBe(
      "error: web1: transfer: command failed with exit code 128: update the git mirror of https://deploy:***@git.example/app.git\n  fatal: unable to access 'https://deploy:***@git.example/'\n",
    );
  });

  it('masks an internal error too', () => {
    expect(report(new Error(`boom ${token}`), [token]).text).not.toContain(token);
  });

  it('prints the message as it is without secrets', () => {
    expect(report(new DeployError('no stage `x`', ExitCode.config)).text).toBe('error: no stage `x`\n');
  });
});
