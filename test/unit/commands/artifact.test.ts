import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extract, prepareUploads, removeUpload, uploadPath, verifyChecksum } from '../../../src/commands/artifact.js';
import { paths } from '../../../src/commands/paths.js';
import { renders, sandbox } from './table.js';

const p = paths('/srv/app');
const spaced = paths('/srv/my app/');
const id = '20240102030405';
const sum = 'a'.repeat(64);

describe('artifact commands', () => {
  it('uploads land under uploads/, one per release', () => {
    expect(uploadPath(p, id)).toBe('/srv/app/uploads/20240102030405.tar.gz');
    expect(uploadPath(spaced, id)).toBe('/srv/my app/uploads/20240102030405.tar.gz');
    expect(() => uploadPath(p, '../x')).toThrow();
  });

  renders([
    ['prepareUploads', () => prepareUploads(spaced), "mkdir -p '/srv/my app/uploads'", 'write'],
    [
      'verifyChecksum',
      () => verifyChecksum(uploadPath(spaced, id), sum.toUpperCase()),
      `printf '%s  %s\\n' ${sum} '/srv/my app/uploads/20240102030405.tar.gz' | sha256sum -c -`,
      'read',
    ],
    [
      'extract',
      () => extract(uploadPath(spaced, id), spaced.release(id)),
      "tar -x -z -f '/srv/my app/uploads/20240102030405.tar.gz' -C '/srv/my app/releases/20240102030405'",
      'write',
    ],
    ['removeUpload', () => removeUpload(p, id), 'rm -f /srv/app/uploads/20240102030405.tar.gz', 'write'],
  ]);

  it.each(['', 'abc', 'g'.repeat(64), `${sum}; rm -rf /`])('refuses checksum %j', (bad) => {
    expect(() => verifyChecksum('/tmp/x', bad)).toThrow(/sha256/);
  });
});

describe('artifact commands on a real shell', () => {
  const box = sandbox();
  afterAll(box.cleanup);

  it('verifies, extracts and removes an upload', () => {
    const src = join(box.dir, 'build');
    mkdirSync(src);
    writeFileSync(join(src, 'index.html'), '<h1>hi</h1>\n');
    expect(box.run(prepareUploads(box.p)).code).toBe(0);
    const file = uploadPath(box.p, id);
    execFileSync('tar', ['-c', '-z', '-f', file, '-C', src, '.']);
    const digest = createHash('sha256').update(readFileSync(file)).digest('hex');

    expect(box.run(verifyChecksum(file, digest)).code).toBe(0);
    const wrong = box.run(verifyChecksum(file, 'b'.repeat(64)));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toContain('FAILED');

    mkdirSync(box.p.release(id), { recursive: true });
    expect(box.run(extract(file, box.p.release(id))).code).toBe(0);
    expect(readFileSync(join(box.p.release(id), 'index.html'), 'utf8')).toBe('<h1>hi</h1>\n');
    expect(box.run(removeUpload(box.p, id)).code).toBe(0);
    expect(box.run(verifyChecksum(file, digest)).code).not.toBe(0);
  });
});
