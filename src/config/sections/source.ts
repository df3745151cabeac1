import { checked, command, localPath, noControl, strict, type Rule } from './primitives.js';

/** Git would read a leading `-` as an option of `clone`, `fetch` or `rev-parse`. */
const noOption =
  (what: string): Rule =>
  (s) =>
    s.startsWith('-') ? { expected: what, hint: `it cannot start with \`-\` (git would read it as an option)` } : undefined;

const nonEmpty =
  (what: string): Rule =>
  (s) =>
    s === '' ? what : undefined;
const noSpace =
  (what: string): Rule =>
  (s) =>
    /\s/.test(s) ? `${what} without whitespace` : undefined;

/** What `git check-ref-format --branch` refuses: such a branch cannot exist, so the deploy would fail on a host. */
const branchRule: Rule = (s) => {
  const why = /[~^:?*[\\]/.test(s)
    ? 'a branch name has none of `~ ^ : ? * [ \\`'
    : s.includes('..') || s.includes('@{') || s === '@'
      ? 'a branch name has no `..` or `@{` and is not `@`'
      : s.endsWith('/') || s.endsWith('.') || s.endsWith('.lock') || s.includes('//') || /(^|\/)\./.test(s)
        ? 'no part of a branch name starts or ends with `.` or is empty, and it does not end with `.lock`'
        : undefined;
  return why ? { expected: 'a branch name', hint: why } : undefined;
};

const gitRef = (what: string, ...more: Rule[]) =>
  checked(`a ${what}`, nonEmpty(`a ${what}`), noControl(`a ${what}`), noSpace(`a ${what}`), noOption(`a ${what}`), ...more);

export const repository = checked(
  'a git repository URL or path',
  nonEmpty('a git repository URL or path'),
  noControl('a git repository URL or path'),
  noOption('a git repository URL or path'),
).describe('Git repository to deploy from (URL or path the hosts can clone). Set exactly one of `repository` or `artifact`.');

export const branch = gitRef('branch name', branchRule).describe(
  'Branch to deploy from `repository` (default `main`). Set at most one of `branch` or `revision`.',
);

export const revision = gitRef('commit, tag or other git revision').describe(
  'Exact revision (commit SHA or tag) to deploy from `repository`, instead of a branch.',
);

export const artifact = strict(
  {
    build: command().optional().describe('Local shell command that produces `path`; run once per deploy, in the directory of deploy.yml.'),
    path: localPath('a local path').describe(
      'Directory (packed as .tar.gz) or an existing .tar.gz, relative to the directory of deploy.yml.',
    ),
  },
  'a mapping with `path` (and optionally `build`)',
).describe('Deploy a locally built artifact instead of a git checkout. Set exactly one of `repository` or `artifact`.');
