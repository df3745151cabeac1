import { describe, expect, it } from 'vitest';
import { parseDfLine, parseDiskFree } from '../../../src/facts/disk.js';
import { fails, parses } from './table.js';

const dfOut = [
  'Filesystem     1024-blocks     Used Available Capacity Mounted on',
  '/dev/sda1         41152736 12345678  26690632      32% /',
  '',
].join('\n');

describe('disk free', () => {
  parses('parseDiskFree', parseDiskFree, [
    ['df -Pk', dfOut, { filesystem: '/dev/sda1', totalKiB: 41152736, usedKiB: 12345678, availableKiB: 26690632, mount: '/' }],
    [
      'spaces in names',
      'Filesystem 1024-blocks Used Available Capacity Mounted on\nmy share 100 40 60 40% /mnt/my share\n',
      { filesystem: 'my share', totalKiB: 100, usedKiB: 40, availableKiB: 60, mount: '/mnt/my share' },
    ],
    ['a capacity of -', 'none 0 0 0 - /proc\n', { filesystem: 'none', totalKiB: 0, usedKiB: 0, availableKiB: 0, mount: '/proc' }],
    ['nothing', '', null],
    ['not df', 'df: /nope: No such file or directory\n', fails('not df -Pk output')],
  ]);

  it('parseDfLine is null for a header', () => {
    expect(parseDfLine('Filesystem 1024-blocks Used Available Capacity Mounted on')).toBeNull();
  });
});
