// Volumes of a process container. A process sees the host's file system, so a volume cannot appear
// at its mountPath as in a container; as with Windows HostProcess containers, it appears below the
// container's directory instead: mountPath `/etc/config` is `$CONTAINER_SANDBOX_MOUNT_POINT/etc/config`.
//
// How it gets there:
// - Linux: a symbolic link to the volume's host directory (or file). Writes reach the volume and
//   are shared with the pod's other containers; `readOnly` is not enforced (a bind mount would need
//   a mount namespace per process).
// - Windows: a directory junction (no privilege needed, unlike symlinks); a file volume (subPath to a
//   file) is copied. Where links do not work at all (Wine creates no symlinks and refuses junctions,
//   notes/windows.md part 5) the volume is copied as a snapshot: right for read-only volumes (ConfigMap,
//   Secret, downwardAPI, projected tokens are written once before the container starts), but a
//   writable volume (emptyDir) then is not shared with other containers and later updates are not
//   seen; the caller is told so through the answer's `copied` list and logs it.

import { cp, lstat, mkdir, rm, stat, symlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Mount } from '../runtime.js';
import { insideRoot, type ProcessOs } from './command.js';

export interface ExposedMounts {
  /** container paths served by a copy instead of a link, and whether the volume was writable */
  copied: Array<{ containerPath: string; writable: boolean }>;
}

/** Wine answers success for a symlink it never creates: believe only a directory that is there afterwards. */
async function linkWorks(target: string): Promise<boolean> {
  if (!(await lstat(target).catch(() => undefined))) return false;
  return (await stat(target).catch(() => undefined))?.isDirectory() ?? false;
}

/** Makes every mount reachable below `root`; `os` picks the link kind. */
export async function exposeMounts(os: ProcessOs, root: string, mounts: Mount[]): Promise<ExposedMounts> {
  const copied: ExposedMounts['copied'] = [];
  for (const m of mounts) {
    const target = insideRoot(os, root, m.containerPath);
    if (target === insideRoot(os, root, '/')) throw new Error(`mount at ${m.containerPath} would replace the container directory`);
    const src = await stat(m.hostPath).catch(() => undefined);
    if (!src) throw new Error(`mount source ${m.hostPath} (for ${m.containerPath}) does not exist`);
    await rm(target, { recursive: true, force: true });
    await mkdir(dirname(target), { recursive: true });
    let linked = false;
    if (os === 'linux') {
      await symlink(m.hostPath, target, src.isDirectory() ? 'dir' : 'file');
      linked = true;
    } else if (src.isDirectory()) {
      try {
        await symlink(m.hostPath, target, 'junction');
        linked = await linkWorks(target);
      } catch {
        linked = false;
      }
      if (!linked) await rm(target, { recursive: true, force: true }).catch(() => undefined);
    }
    if (!linked) {
      await cp(m.hostPath, target, { recursive: true, dereference: true });
      copied.push({ containerPath: m.containerPath, writable: !m.readonly });
    }
  }
  return { copied };
}
