import { z } from 'zod';
import { command, expecting, strict, text } from './primitives.js';

const gitRef = (what: string) => text(`a ${what}`).refine(
  (ref) => !/\s/.test(ref),
  expecting(`a ${what} without whitespace`),
);

export const repository = text('a git repository URL or path').describe(
  'Git repository to deploy from (URL or path the hosts can clone). Set exactly one of `repository` or `artifact`.',
);

export const branch = gitRef('branch name').describe(
  'Branch to deploy from `repository` (default `main`). Set at most one of `branch` or `revision`.',
);

export const revision = gitRef('commit, tag or other git revision').describe(
  'Exact revision (commit SHA or tag) to deploy from `repository`, instead of a branch.',
);

export const artifact = strict(
  {
    build: command()
      .optional()
      .describe('Local shell command that produces `path`; run once per deploy, in the directory of deploy.yml.'),
    path: text('a local path')
      .describe('Directory (packed as .tar.gz) or an existing .tar.gz, relative to the directory of deploy.yml.'),
  },
  'a mapping with `path` (and optionally `build`)',
).describe('Deploy a locally built artifact instead of a git checkout. Set exactly one of `repository` or `artifact`.');

export type ArtifactInput = z.output<typeof artifact>;
