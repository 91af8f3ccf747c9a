// Small file helpers for secrets: atomic replace (temp file + rename) and create-once (temp file + link).

import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const tempPathFor = (path: string) => join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);

async function writeTemp(path: string, data: string, mode: number): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  await writeFile(tmp, data, { mode, flag: 'wx' });
  // The umask may have narrowed the mode further; secrets must not be wider than asked, and certs should be readable.
  await chmod(tmp, mode);
  return tmp;
}

/** Replaces `path` with `data` so that readers see either the old or the new content, never a partial file. */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = await writeTemp(path, data, mode);
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Creates `path` with `data` unless it exists already. Returns false when another writer got there first. */
export async function createFileOnce(path: string, data: string, mode: number): Promise<boolean> {
  const tmp = await writeTemp(path, data, mode);
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if (isErrno(e, 'EEXIST')) return false;
    throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Narrows an existing secret file to `mode` if group or others can read it (best effort). */
export async function tightenMode(path: string, mode: number): Promise<void> {
  if (process.platform === 'win32') return;
  const st = await stat(path);
  if ((st.mode & 0o077 & ~mode) !== 0) await chmod(path, mode).catch(() => undefined);
}

export function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && 'code' in e && e.code === code;
}
