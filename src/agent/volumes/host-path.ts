// hostPath volumes' type checks (upstream's: DirectoryOrCreate and FileOrCreate create what is
// missing, the other types must find it), and the error a volume that cannot be set up raises.

import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Raised when a volume cannot be set up (event FailedMount). */
export class VolumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VolumeError';
  }
}

const HOST_PATH_CHECKS: Record<string, { test: (p: string) => Promise<boolean>; what: string }> = {
  Directory: { test: async (p) => (await stat(p)).isDirectory(), what: 'a directory' },
  File: { test: async (p) => (await stat(p)).isFile(), what: 'a file' },
  Socket: { test: async (p) => (await stat(p)).isSocket(), what: 'a socket' },
  CharDevice: { test: async (p) => (await stat(p)).isCharacterDevice(), what: 'a character device' },
  BlockDevice: { test: async (p) => (await stat(p)).isBlockDevice(), what: 'a block device' },
};

export async function checkHostPath(path: string, type: string | undefined): Promise<void> {
  if (!type) return;
  if (type === 'DirectoryOrCreate') {
    try {
      if ((await stat(path)).isDirectory()) return;
    } catch {
      await mkdir(path, { recursive: true, mode: 0o755 });
      return;
    }
    throw new VolumeError(`hostPath type check failed: ${path} is not a directory`);
  }
  if (type === 'FileOrCreate') {
    try {
      if ((await stat(path)).isFile()) return;
    } catch {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, '', { mode: 0o644, flag: 'a' });
      return;
    }
    throw new VolumeError(`hostPath type check failed: ${path} is not a file`);
  }
  const check = HOST_PATH_CHECKS[type];
  if (!check) throw new VolumeError(`hostPath type ${type} is not supported`);
  let ok = false;
  try {
    ok = await check.test(path);
  } catch {
    ok = false;
  }
  if (!ok) throw new VolumeError(`hostPath type check failed: ${path} is not ${check.what}`);
}
