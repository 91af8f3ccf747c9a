// Pod cgroup parents (cgroupfs driver) and their removal: runc removes container cgroups, but the
// pod-level directories are the orchestrator's to delete, in every hierarchy.
import { existsSync } from 'node:fs';
import { readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** `/tandem/pod<uid>` for Guaranteed, `/tandem/burstable/pod<uid>`, `/tandem/besteffort/pod<uid>`. */
export function podCgroupParent(root: string, podUid: string, qosClass: string): string {
  const base = `/${root.replace(/^\/+|\/+$/g, '')}`;
  switch (qosClass) {
    case 'Burstable':
      return `${base}/burstable/pod${podUid}`;
    case 'BestEffort':
      return `${base}/besteffort/pod${podUid}`;
    default:
      return `${base}/pod${podUid}`;
  }
}

/** Every mounted hierarchy root: /sys/fs/cgroup itself on a pure v2 host, else each subdirectory (v1 controllers and `unified`). */
export async function cgroupHierarchies(mount = '/sys/fs/cgroup'): Promise<string[]> {
  if (existsSync(join(mount, 'cgroup.controllers'))) return [mount];
  const out: string[] = [];
  let names: string[] = [];
  try {
    names = await readdir(mount);
  } catch {
    return out;
  }
  for (const n of names.sort()) {
    const p = join(mount, n);
    try {
      if ((await stat(p)).isDirectory()) out.push(p);
    } catch {
      /* vanished */
    }
  }
  return out;
}

async function rmdirTree(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (code(e) === 'ENOENT') return;
    throw e;
  }
  for (const e of entries) if (e.isDirectory()) await rmdirTree(join(dir, e.name));
  for (let i = 0; ; i++) {
    try {
      await rmdir(dir);
      return;
    } catch (e) {
      const c = code(e);
      if (c === 'ENOENT') return;
      if (c !== 'EBUSY' || i >= 20) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function code(e: unknown): string | undefined {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** Removes the pod's cgroup directory (and any leftover child cgroups) from every hierarchy. */
export async function removePodCgroups(cgroupParent: string, mount = '/sys/fs/cgroup'): Promise<void> {
  const rel = cgroupParent.replace(/^\/+/, '');
  if (!rel || rel.includes('..')) return;
  const errors: string[] = [];
  for (const h of await cgroupHierarchies(mount)) {
    try {
      await rmdirTree(join(h, rel));
    } catch (e) {
      errors.push(`${join(h, rel)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (errors.length) throw new Error(`could not remove pod cgroups: ${errors.join('; ')}`);
}

/** Directories of this cgroup that still exist (tests, diagnostics). */
export async function existingPodCgroups(cgroupParent: string, mount = '/sys/fs/cgroup'): Promise<string[]> {
  const rel = cgroupParent.replace(/^\/+/, '');
  return (await cgroupHierarchies(mount)).map((h) => join(h, rel)).filter((p) => existsSync(p));
}
