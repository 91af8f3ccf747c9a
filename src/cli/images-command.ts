// `tandem images import` and `tandem images sample`: images for a node without a registry. Registered
// here so that main.ts keeps to one line for them; each loads its module only when it runs.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveDataDir } from './data-dir.js';

export function registerImagesCommands(program: Command, io: { log: (line: string) => void; fail: (e: unknown) => never }): void {
  const images = program.command('images').description('images for this node without a registry: import archives, write the sample image');

  images
    .command('import')
    .description(
      "import an image archive (OCI layout or docker save, a .tar) into this node's image stores: containerd's and the process runtime's",
    )
    .argument(
      '<file>',
      'the archive, e.g. from `tandem images sample`, `docker save`, `ctr images export` or `skopeo copy … oci-archive:FILE`',
    )
    .option(
      '--data-dir <dir>',
      'the Tandem whose node gets the images (default $TANDEM_HOME, else ~/.tandem; %ProgramData%\\tandem on Windows)',
    )
    .option(
      '--containerd <endpoint>',
      "import into this containerd instead of the data dir's private one (unix:///path, npipe:////./pipe/name)",
    )
    .option('--name <reference>', 'store the archive\'s one image under this name (for archives whose images have none, e.g. "1" only)')
    .action(async (file: string, o: { dataDir?: string; containerd?: string; name?: string }) => {
      const { runImagesImport } = await import('./images-import.js');
      const code = await runImagesImport({
        file: resolve(file),
        dataDir: resolveDataDir(o.dataDir),
        ...(o.containerd ? { containerd: o.containerd } : {}),
        ...(o.name !== undefined ? { name: o.name } : {}),
      }).catch(io.fail);
      process.exitCode = code;
    });

  images
    .command('sample')
    .description("write the sample image (docker.io/tandem/hello:1, built from this host's busybox-static) as an archive to import")
    .option('-o, --output <file>', 'where to write it', 'hello.tar')
    .action(async (o: { output: string }) => {
      const { writeSampleArchive, BUSYBOX_HINT } = await import('../agent/images/index.js');
      const { formatBytes } = await import('./progress-line.js');
      const file = resolve(o.output);
      const a = await writeSampleArchive(file).catch((e: unknown) =>
        io.fail(e instanceof Error && e.message.includes(BUSYBOX_HINT) ? `cannot build the sample image: ${e.message}` : e),
      );
      io.log(`wrote ${o.output}: ${a.name} (${formatBytes(a.bytes)}, busybox from ${a.busybox})`);
      io.log(`import it into this node: tandem images import ${o.output}`);
    });
}
