// Where Secret and projected (token) volumes live. Their contents are credentials, so they must not
// sit on the node's disk readable by other local users:
// - `tmpfs` (Linux, the agent running as root, as the kubelet does): each volume directory is its
//   own tmpfs mount (mode 0755, so containers running as any user can read what the pod asked for),
//   written into memory only and unmounted when the pod goes;
// - `disk` (an agent without root, and Windows): the directory is 0700 and the files keep only the
//   owner's bits of the modes the pod asked for (0644 becomes 0600). The pods of such an agent run
//   as the agent's own user (the process runtime), so they still read them; nobody else can.

import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, realpath } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SecretMedium {
  readonly kind: 'tmpfs' | 'disk';
  /** Makes `dir` ready to receive the volume's files. */
  prepare(dir: string): Promise<void>;
  /** The mode a file gets, from the one the pod asked for. */
  fileMode(mode: number): number;
  /** Unmounts whatever this medium mounted below `root` (before the pod directory is removed). */
  release(root: string): Promise<void>;
}

/** Mount points from /proc/self/mountinfo (field 5, octal escapes such as \040 decoded). */
async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
}

export async function isMountPoint(dir: string): Promise<boolean> {
  const real = await realpath(dir).catch(() => dir);
  return (await mountPoints()).includes(real);
}

/** Unmounts every mount at or below `root`, deepest first; a busy one is detached lazily. */
async function unmountBelow(root: string): Promise<void> {
  const real = await realpath(root).catch(() => undefined);
  if (!real) return;
  const below = (await mountPoints()).filter((p) => p === real || p.startsWith(`${real}/`)).sort((a, b) => b.length - a.length);
  for (const p of below) {
    await run('umount', [p]).catch(() => run('umount', ['-l', p]));
  }
}

export function tmpfsMedium(): SecretMedium {
  // directories this process mounted: later syncs skip the mountinfo read
  const mounted = new Set<string>();
  return {
    kind: 'tmpfs',
    async prepare(dir) {
      if (mounted.has(dir)) return;
      await mkdir(dir, { recursive: true, mode: 0o755 });
      if (!(await isMountPoint(dir))) {
        try {
          await run('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', dir]);
        } catch (e) {
          const why = (e as { stderr?: string }).stderr?.trim() || (e instanceof Error ? e.message : String(e));
          throw new Error(`cannot mount a tmpfs at ${dir}: ${why}`, { cause: e });
        }
      }
      mounted.add(dir);
    },
    fileMode: (mode) => mode,
    async release(root) {
      for (const d of mounted) if (d === root || d.startsWith(`${root}/`)) mounted.delete(d);
      await unmountBelow(root);
    },
  };
}

export function diskMedium(): SecretMedium {
  return {
    kind: 'disk',
    async prepare(dir) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
    },
    fileMode: (mode) => mode & 0o700,
    // an agent restarted as non-root may find tmpfs mounts a root run left: try, and let rm report the rest
    release: async (root) => (process.platform === 'linux' ? unmountBelow(root).catch(() => undefined) : undefined),
  };
}

/** tmpfs where the kubelet would use it (Linux, root), else the owner-only directory. */
export function defaultSecretMedium(): SecretMedium {
  return process.platform === 'linux' && process.getuid?.() === 0 ? tmpfsMedium() : diskMedium();
}
