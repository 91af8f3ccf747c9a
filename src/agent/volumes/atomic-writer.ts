// Writes a set of files into a volume directory the way the kubelet does, so that readers never see
// a half-updated set: files go into a fresh hidden directory, `..data` is switched to it with one
// rename, and the visible top-level names are symlinks through `..data`.
// On Windows the files are written in place instead, each through a temporary file and a rename:
// a symlink to a directory needs a privilege (and a junction an absolute target) that an agent may
// not have, and Wine has neither; each file is still replaced whole, the set not at once.

import { mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile, chmod, lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface VolumeFile {
  path: string;
  data: Buffer;
  mode: number;
}

const DATA = '..data';

async function currentMatches(dir: string, files: VolumeFile[]): Promise<boolean> {
  try {
    const target = await readlink(join(dir, DATA));
    for (const f of files) {
      const p = join(dir, target, f.path);
      const [buf, st] = await Promise.all([readFile(p), lstat(p)]);
      if (!buf.equals(f.data) || (st.mode & 0o777) !== f.mode) return false;
    }
    const top = new Set(files.map((f) => f.path.split('/')[0]));
    const present = (await readdir(dir)).filter((n) => !n.startsWith('..'));
    return present.length === top.size && present.every((n) => top.has(n));
  } catch {
    return false;
  }
}

/** Windows: each file replaced whole (temporary file + rename), files no longer wanted removed. */
async function writeInPlace(dir: string, files: VolumeFile[]): Promise<boolean> {
  let changed = false;
  for (const f of files) {
    const p = join(dir, f.path);
    const same = await readFile(p).then(
      (b) => b.equals(f.data),
      () => false,
    );
    if (same) continue;
    await mkdir(dirname(p), { recursive: true });
    const tmp = `${p}.tmp-${Math.random().toString(36).slice(2, 8)}`;
    await writeFile(tmp, f.data);
    await chmod(tmp, f.mode);
    await rename(tmp, p);
    changed = true;
  }
  const top = new Set(files.map((f) => f.path.split('/')[0] ?? ''));
  for (const n of await readdir(dir)) {
    if (top.has(n)) continue;
    await rm(join(dir, n), { recursive: true, force: true });
    changed = true;
  }
  return changed;
}

/** Answers whether anything changed. Paths must be relative and free of `..` (checked). */
export async function writeAtomically(dir: string, files: VolumeFile[], platform: NodeJS.Platform = process.platform): Promise<boolean> {
  for (const f of files) {
    if (f.path.startsWith('/') || f.path.split('/').includes('..') || f.path === '')
      throw new Error(`invalid path ${JSON.stringify(f.path)}`);
  }
  await mkdir(dir, { recursive: true });
  if (platform === 'win32') return writeInPlace(dir, files);
  if (await currentMatches(dir, files)) return false;
  const stamp = `..${new Date().toISOString().replace(/[:.]/g, '_')}_${Math.random().toString(36).slice(2, 8)}`;
  const tsDir = join(dir, stamp);
  await mkdir(tsDir, { recursive: true });
  for (const f of files) {
    const p = join(tsDir, f.path);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, f.data);
    await chmod(p, f.mode);
  }
  let old: string | undefined;
  try {
    old = await readlink(join(dir, DATA));
  } catch {
    old = undefined;
  }
  const tmpLink = join(dir, '..data_tmp');
  await rm(tmpLink, { force: true });
  await symlink(stamp, tmpLink);
  await rename(tmpLink, join(dir, DATA));
  const top = new Set(files.map((f) => f.path.split('/')[0] ?? ''));
  for (const name of top) {
    const link = join(dir, name);
    try {
      await lstat(link);
      continue;
    } catch {
      /* create below */
    }
    await symlink(join(DATA, name), link);
  }
  for (const n of await readdir(dir)) {
    if (n.startsWith('..') || top.has(n)) continue;
    await rm(join(dir, n), { recursive: true, force: true });
  }
  if (old && old !== stamp) await rm(join(dir, old), { recursive: true, force: true });
  return true;
}
