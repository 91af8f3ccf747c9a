// Removing a test's data dir: a root agent keeps each pod's Secret and token volumes on a tmpfs of
// their own and, like the kubelet, leaves them mounted when it stops (the pods keep running for the
// next start to adopt), so a plain recursive remove meets EBUSY. Mounts below the dir are detached
// first (deepest first, lazily: a container may still hold one).

import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, rmSync } from 'node:fs';

function mountsBelow(dir: string): string[] {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return [];
  }
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === real || p.startsWith(`${real}/`))
    .sort((a, b) => b.length - a.length);
}

/** rm -rf of a test dir, after detaching every mount below it. */
export function removeTree(dir: string): void {
  if (process.platform === 'linux') for (const m of mountsBelow(dir)) spawnSync('umount', ['-l', m]);
  rmSync(dir, { recursive: true, force: true });
}
