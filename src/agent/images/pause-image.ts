// The pod sandbox ("pause") image for a node with no registry access: built locally as an OCI
// archive (a static C program compiled with gcc, else busybox `sleep`) and imported into the
// node's containerd under a fixed name, so that `tandem up` works offline.

import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildImage, ociArchive } from './oci.js';
import { compilePause, pauseRootfs, pauseSourceHash } from './rootfs.js';

export const PAUSE_IMAGE = 'docker.io/tandem/pause:1';

export interface PauseArchive {
  path: string;
  name: string;
  fallback: boolean;
}

/** Builds (once per data dir) the pause image archive; returns its path. */
export async function ensurePauseArchive(dir: string): Promise<PauseArchive> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `pause-${pauseSourceHash}.tar`);
  const marker = `${path}.fallback`;
  if (existsSync(path)) return { path, name: PAUSE_IMAGE, fallback: existsSync(marker) };
  const binary = await compilePause();
  const root = await pauseRootfs(binary);
  const img = buildImage({ name: PAUSE_IMAGE, entries: root.entries, entrypoint: root.entrypoint });
  await writeFile(`${path}.tmp`, ociArchive(img));
  await rename(`${path}.tmp`, path);
  if (root.fallback) await writeFile(marker, 'pause is busybox sleep: gcc with a static libc was not available\n');
  return { path, name: PAUSE_IMAGE, fallback: root.fallback };
}
