// Local checks that need nothing running: the data dir's and secret files' permissions, and disk space.

import { statSync, statfsSync } from 'node:fs';
import { findFiles } from './find-files.js';
import { fail, ok, skip, warn, type CheckResult } from './doctor-types.js';

/** Files that hold a secret: keys, tokens, kubeconfigs, the store. Found by name anywhere under the data dir (depth-limited). */
const SECRET_FILE = /(\.key|\.token|kubeconfig|state\.db(-wal|-shm)?)$/;

export function checkDataDir(dataDir: string, platform = process.platform): CheckResult {
  const id = 'files.data-dir';
  const title = 'data dir is the owner’s alone';
  if (platform === 'win32') return skip(id, title, 'Windows: access is governed by NTFS ACLs (the data dir lives under %ProgramData%)');
  const st = statSync(dataDir, { throwIfNoEntry: false });
  if (!st) return skip(id, title, `${dataDir} does not exist (nothing has started here)`);
  const mode = st.mode & 0o777;
  if ((mode & 0o077) !== 0)
    return fail(id, title, `${dataDir} has mode ${mode.toString(8)}: other local users can enter it`, `chmod 700 ${dataDir}`);
  return ok(id, title, `${dataDir} is ${mode.toString(8)}`);
}

export function checkSecretFiles(dataDir: string, platform = process.platform): CheckResult {
  const id = 'files.modes';
  const title = 'keys, tokens, kubeconfigs and the store are 0600';
  if (platform === 'win32') return skip(id, title, 'Windows: access is governed by NTFS ACLs');
  const files = findFiles(dataDir, 3, (n) => SECRET_FILE.test(n));
  if (files.length === 0) return skip(id, title, `no key, token, kubeconfig or store under ${dataDir}`);
  const wide = files.filter((f) => (statSync(f).mode & 0o077) !== 0);
  if (wide.length > 0) {
    const shown = wide.slice(0, 5).map((f) => `${f} (${(statSync(f).mode & 0o777).toString(8)})`);
    return fail(
      id,
      title,
      `readable by others: ${shown.join(', ')}${wide.length > 5 ? ` and ${wide.length - 5} more` : ''}`,
      `chmod 600 ${wide.join(' ')}`,
    );
  }
  return ok(id, title, `${files.length} files checked`);
}

/** Free space where the data dir lives: under 5% or 1 GiB fails (containerd and the store stop writing), under 15% or 5 GiB warns. */
export function checkDiskSpace(
  dataDir: string,
  stat: (p: string) => { bavail: number; blocks: number; bsize: number } = statfsSync,
): CheckResult {
  const id = 'files.disk-space';
  const title = 'disk space for the store, images and logs';
  let s;
  try {
    s = stat(dataDir);
  } catch (e) {
    return skip(id, title, `cannot read the file system of ${dataDir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const free = s.bavail * s.bsize;
  const share = s.blocks > 0 ? s.bavail / s.blocks : 1;
  const gib = (free / 2 ** 30).toFixed(1);
  const text = `${gib} GiB free (${(share * 100).toFixed(0)}%) on the file system of ${dataDir}`;
  const fix = 'free space there (`crictl rmi --prune` removes unused images), or move the data dir to a larger disk';
  if (free < 2 ** 30 || share < 0.05) return fail(id, title, text, fix);
  if (free < 5 * 2 ** 30 || share < 0.15) return warn(id, title, text, fix);
  return ok(id, title, text);
}
