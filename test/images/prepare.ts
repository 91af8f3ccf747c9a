// Builds (or takes from the cache) the busybox and pause test images, starts a loopback registry
// and pushes both: what e2e tests, benchmarks and a test agent need to run real pods.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxImage, hostArchitecture } from '../../src/agent/images/busybox-image.js';
import { openImageArchive } from '../../src/agent/images/image-archive.js';
import { buildImage, ociArchive, sha256, type OciImage } from '../../src/agent/images/oci.js';
import { pushImage, startRegistry, type Registry } from './registry.js';
import { BUSYBOX_HINT, busyboxPath, compilePause, ensureDir, pauseRootfs, pauseSourceHash } from '../../src/agent/images/rootfs.js';

/** Bumped whenever the way images are built changes, so that old cache entries are not reused. */
const BUILDER_VERSION = '1';

interface BuiltImage {
  image: OciImage;
  archive: string;
  fromCache: boolean;
}

const imageNames = { busybox: 'docker.io/tandem/busybox:1', pause: 'docker.io/tandem/pause:1' } as const;

function defaultCacheDir(): string {
  return process.env['TANDEM_IMAGE_CACHE'] ?? join(tmpdir(), 'tandem-test-images');
}

/** Reads an OCI archive written by ociArchive() back into memory (its one image, for this host's platform). */
export async function loadOciArchive(file: string): Promise<OciImage> {
  const a = await openImageArchive(file, { platform: { os: 'linux', architecture: hostArchitecture() } });
  const img = a.images[0];
  if (!img || a.images.length !== 1) throw new Error(`${file}: expected one image, found ${a.images.length}`);
  const diffIds = (JSON.parse(img.config.data.toString('utf8')) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
  const layers = [];
  for (const [i, l] of img.layers.entries()) {
    const data = Buffer.concat(await a.open(l).toArray());
    if (sha256(data) !== l.digest) throw new Error(`${file}: layer ${l.digest} is corrupt`);
    layers.push({ digest: l.digest, data, diffId: diffIds[i] ?? '' });
  }
  return {
    name: img.names[0] ?? '',
    manifest: { digest: img.manifest.digest, data: img.manifest.data },
    config: { digest: img.config.digest, data: img.config.data },
    layers,
  };
}

async function cached(cacheDir: string, key: string, build: () => Promise<OciImage>): Promise<BuiltImage> {
  await ensureDir(cacheDir);
  const archive = join(cacheDir, `${key}.tar`);
  if (existsSync(archive)) {
    try {
      return { image: await loadOciArchive(archive), archive, fromCache: true };
    } catch {
      /* rebuild */
    }
  }
  const image = await build();
  const tmp = `${archive}.${process.pid}.tmp`;
  await writeFile(tmp, ociArchive(image));
  await rename(tmp, archive);
  return { image, archive, fromCache: false };
}

async function buildBusybox(cacheDir = defaultCacheDir(), name: string = imageNames.busybox): Promise<BuiltImage> {
  const bin = busyboxPath();
  if (!bin) throw new Error(`busybox-static is not installed (no /bin/busybox): ${BUSYBOX_HINT}`);
  const hash = createHash('sha256')
    .update(await readFile(bin))
    .update(name)
    .update(BUILDER_VERSION)
    .digest('hex')
    .slice(0, 16);
  return cached(cacheDir, `busybox-${hash}`, () => buildBusyboxImage({ name, bin, cmd: ['sh'] }));
}

async function buildPauseImage(cacheDir = defaultCacheDir(), name: string = imageNames.pause): Promise<BuiltImage & { fallback: boolean }> {
  const key = `pause-${createHash('sha256').update(pauseSourceHash).update(name).update(BUILDER_VERSION).digest('hex').slice(0, 16)}`;
  const build = (binary: Buffer | undefined) => async () => {
    const root = await pauseRootfs(binary);
    return buildImage({ name, entries: root.entries, entrypoint: root.entrypoint });
  };
  if (existsSync(join(cacheDir, `${key}.tar`)))
    return { ...(await cached(cacheDir, key, async () => build(await compilePause())())), fallback: false };
  const binary = await compilePause();
  // the fallback (busybox sleep) is cached under its own key, so that a later run with gcc builds the real one
  if (binary) return { ...(await cached(cacheDir, key, build(binary))), fallback: false };
  return { ...(await cached(cacheDir, `${key}-fallback`, build(undefined))), fallback: true };
}

export interface TestImages {
  registry: Registry;
  images: { busybox: string; pause: string };
  /** OCI archives of both images (for `ctr images import` or a platform's pauseImageArchive) */
  archives: { busybox: string; pause: string };
  /** true when the pause image is busybox sleep because gcc could not build the static pause */
  pauseFallback: boolean;
}

/** Builds both images, starts a registry on 127.0.0.1:<registryPort> (0 = free port) and pushes them as tandem/busybox:1 and tandem/pause:1. */
export async function prepareTestImages(o: { registryPort?: number; registryDir?: string; cacheDir?: string } = {}): Promise<TestImages> {
  const cacheDir = o.cacheDir ?? defaultCacheDir();
  const busybox = await buildBusybox(cacheDir);
  const pause = await buildPauseImage(cacheDir);
  const ownDir = o.registryDir ? undefined : await mkdtemp(join(tmpdir(), 'tandem-registry-'));
  const started = await startRegistry({ dir: o.registryDir ?? ownDir ?? '', ...(o.registryPort ? { port: o.registryPort } : {}) });
  const registry: Registry = {
    ...started,
    async stop() {
      await started.stop();
      if (ownDir) await rm(ownDir, { recursive: true, force: true });
    },
  };
  try {
    await pushImage(registry.url, 'tandem/busybox', '1', busybox.image);
    await pushImage(registry.url, 'tandem/pause', '1', pause.image);
  } catch (e) {
    await registry.stop();
    throw e;
  }
  return {
    registry,
    images: { busybox: `${registry.host}/tandem/busybox:1`, pause: `${registry.host}/tandem/pause:1` },
    archives: { busybox: busybox.archive, pause: pause.archive },
    pauseFallback: pause.fallback,
  };
}
