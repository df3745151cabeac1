import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface Gate {
  /** The lock file: a shell script waits at the gate with `flock -s <path> true`. */
  readonly path: string;
  /** Lets every waiter (and every later one) through. */
  open(): Promise<void>;
}

/**
 * A closed gate for the shell scripts a test starts: they block in `flock -s` while a holder process has the file
 * locked, and go on the moment the test opens it. The test decides when, with no sleep anywhere.
 */
export function closedGate(path: string): Promise<Gate> {
  writeFileSync(path, '');
  const holder = spawn('flock', ['-x', path, 'sh', '-c', 'echo closed; read -r _'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ended = new Promise<void>((done) => holder.on('close', () => done()));
  return new Promise((ready, fail) => {
    holder.once('error', fail);
    holder.stdout.once('data', () =>
      ready({
        path,
        open: () => {
          holder.stdin.end('\n');
          return ended;
        },
      }),
    );
  });
}
