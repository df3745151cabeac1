import { describe, expect, it } from 'vitest';
import { MIN_FREE_KIB, preflightProblems, toolsFor } from '../../../src/tasks/check.js';
import { config } from './fixtures.js';

describe('preflight', () => {
  it('asks each host for the tools its steps call', () => {
    const c = config();
    const host = (name: string) => c.hosts.find((h) => h.name === name)!;
    expect(toolsFor(c, host('web1'))).toEqual(['curl', 'git', 'ln', 'mkdir', 'mv', 'npm', 'readlink', 'rm', 'sha256sum', 'tar']);
    expect(toolsFor(c, host('lb1'))).toEqual([]);
  });

  it('reports every problem of a host at once', () => {
    const problems = preflightProblems(config(), {
      tools: {},
      missingTools: ['git', 'npm'],
      exists: false,
      probeDir: '/srv',
      disk: { filesystem: '/dev/x', totalKiB: 1000, usedKiB: 990, availableKiB: 10, mount: '/' },
      writable: false,
      removableKiB: 0,
      repository: null,
      port: null,
    });
    expect(problems).toEqual([
      'missing tools: git, npm',
      '/srv is not writable by the deploy user',
      `only 0 MiB free in /srv (need ${MIN_FREE_KIB / 1024} MiB)`,
    ]);
  });

  it("names the repository a host cannot read, with what git said, and a first deploy's port that is taken", () => {
    const c = config();
    const base = { tools: {}, missingTools: [], exists: true, probeDir: '/srv/app', disk: null, writable: true, removableKiB: 0 };
    const source = c.source.kind === 'git' ? c.source.repository : '';
    expect(
      preflightProblems(c, {
        ...base,
        repository: { ok: false, error: "fatal: '/nope' does not appear to be a git repository" },
        port: null,
      }),
    ).toEqual([
      `cannot read the repository ${source} from this host with its own credentials (git: fatal: '/nope' does not appear to be a git repository): give the deploy user access (a deploy key, or an agent forwarded by ssh.forward_agent) or correct \`repository\``,
    ]);
    expect(
      preflightProblems(
        c,
        { ...base, repository: { ok: true, error: '' }, port: { port: 8000, taken: true, curlExit: 0 } },
        { address: '10.0.0.1' },
      ),
    ).toEqual([
      "port 8000 on 10.0.0.1 is already in use, and this is the host's first deploy: the app could not listen there. Stop what holds it, or move the app and health.port to a free port",
    ]);
    expect(preflightProblems(c, { ...base, repository: { ok: true, error: '' }, port: { port: 8000, taken: false, curlExit: 7 } })).toEqual(
      [],
    );
  });

  it('counts what earlier runs left (removed before anything is written) as free space', () => {
    const report = (availableKiB: number, removableKiB: number) => ({
      tools: {},
      missingTools: [],
      exists: true,
      probeDir: '/srv/app',
      disk: { filesystem: '/dev/x', totalKiB: 200_000, usedKiB: 200_000 - availableKiB, availableKiB, mount: '/srv' },
      writable: true,
      removableKiB,
      repository: null,
      port: null,
    });
    expect(preflightProblems(config(), report(10 * 1024, 60 * 1024))).toEqual([]);
    expect(preflightProblems(config(), report(10 * 1024, 20 * 1024))).toEqual([
      `only 10 MiB free in /srv/app, 20 MiB more once what earlier runs left is removed (need ${MIN_FREE_KIB / 1024} MiB)`,
    ]);
  });
});
