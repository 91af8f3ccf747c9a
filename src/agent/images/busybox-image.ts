// Images of busybox plus a few files and a command: the test images (test/images), the sample image
// of `tandem images sample`. Built from the host's static busybox, for the host's architecture.
import { kubernetesPlatform } from '../../base/build-info.js';
import { buildImage, type OciImage } from './oci.js';
import { busyboxEntries } from './rootfs.js';
import type { TarEntry } from './tar.js';

export interface BusyboxImageSpec {
  /** full reference stored in the archive, e.g. `docker.io/tandem/busybox:1` */
  name: string;
  cmd?: string[];
  entrypoint?: string[];
  /** more files, added to busybox's root filesystem */
  files?: TarEntry[];
  /** the busybox binary (default /bin/busybox or /usr/bin/busybox) */
  bin?: string;
}

/** The host's architecture as images name it (`amd64`, `arm64`). */
export const hostArchitecture = (): string => kubernetesPlatform().split('/')[1] ?? 'amd64';

export async function buildBusyboxImage(spec: BusyboxImageSpec): Promise<OciImage> {
  const entries = [...(await busyboxEntries(spec.bin)), ...(spec.files ?? [])];
  return buildImage({
    name: spec.name,
    entries,
    architecture: hostArchitecture(),
    ...(spec.cmd ? { cmd: spec.cmd } : {}),
    ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
  });
}
