// The sample image of `tandem images sample`: a first pod for a node without a registry. Built here
// like the test images (the host's static busybox), so that nothing needs downloading: it greets,
// then stays up until stopped, so `kubectl logs` shows the greeting and `kubectl run` a Running pod.
import { rename, rm, writeFile } from 'node:fs/promises';
import { buildBusyboxImage } from './busybox-image.js';
import { ociArchive } from './oci.js';
import { busyboxPath } from './rootfs.js';

export const SAMPLE_IMAGE = 'docker.io/tandem/hello:1';

// busybox itself is argv[0]: the native process runtime finds /bin/busybox inside the image, where
// /bin/sh would be a link to the host's /bin/busybox. Applets run from inside busybox's sh, whatever
// PATH says. `sleep & wait` lets the TERM trap run at once instead of after the sleep, and the trap
// ends the sleep too (a process runtime's pod has no PID namespace to take it along).
const GREETING = [
  `echo "Hello from Tandem! This pod runs the sample image ${SAMPLE_IMAGE} on $(hostname)."`,
  'echo "tandem images sample built it from busybox; tandem images import put it on this node, no registry involved."',
  `trap 'echo "hello: stopping"; kill $! 2>/dev/null; exit 0' TERM INT`,
  'while true; do sleep 3600 & wait $!; done',
].join('\n');

export interface SampleArchive {
  file: string;
  name: string;
  bytes: number;
  /** the busybox binary it holds */
  busybox: string;
}

/** Writes the sample image as an OCI archive to `file` (replacing it). */
export async function writeSampleArchive(file: string): Promise<SampleArchive> {
  const img = await buildBusyboxImage({ name: SAMPLE_IMAGE, cmd: ['/bin/busybox', 'sh', '-c', GREETING] });
  const data = ociArchive(img);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
  return { file, name: SAMPLE_IMAGE, bytes: data.length, busybox: busyboxPath() ?? '' };
}
