// The ImageSource of the native process runtime: the registry client's verified content store
// (client/registry) for pulls and lookups, and unpack.ts to turn a stored image into a directory.
// Images also come from archives (image-import.ts): their blobs are written to the same store and
// their names recorded without a registry.
import { join } from 'node:path';
import type { Logger } from '../../base/log.js';
import {
  createImageCache,
  PlatformMismatchError,
  type CachedImage,
  type ContentStore,
  type ImageCache,
} from '../../client/registry/index.js';
import { NoMatchingPlatformError, type ImagePlatform, type ImageSource, type PulledImage } from './image-source.js';
import { unpackLayers } from './unpack.js';

/** Where a node agent with data dir `agentDir` (DATA/agent) keeps the process runtime's images. */
export const processImageRoot = (agentDir: string): string => join(agentDir, 'process', 'images');

export interface ImageStoreOptions {
  /** where blobs and the reference index live, e.g. `<data-dir>/images` */
  root: string;
  platform: ImagePlatform;
  /** registries (host or host:port) reached over plain HTTP; loopback always is */
  insecureRegistries?: string[];
  /** extra CA certificates (PEM) for registries */
  ca?: string | Buffer;
  /** how long a resolved tag is reused before pull() asks the registry again (default 5 min) */
  tagTtlMs?: number;
  log?: Logger;
}

export interface ImageStore extends ImageSource {
  /** Removes blobs that no kept reference reaches. */
  gc(): Promise<{ removedBlobs: number; freedBytes: number }>;
  /** Where an import writes an image's blobs, each checked against its digest. */
  readonly blobs: Pick<ContentStore, 'has' | 'put'>;
  /** Names the image of platform manifest `manifest`, whose blobs are in `blobs` (an import: no registry). */
  record(names: string[], manifest: string): Promise<PulledImage>;
}

/** The registry client's platform error as the image source's. */
async function platformChecked<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof PlatformMismatchError) throw new NoMatchingPlatformError(e.message, e.available, e.wanted);
    throw e;
  }
}

function toPulled(c: CachedImage, all: CachedImage[]): PulledImage {
  const same = all.filter((x) => x.manifest === c.manifest);
  const repoTags = [...new Set(same.filter((x) => !x.key.includes('@')).map((x) => x.key))];
  const repoDigests = [...new Set(same.map((x) => `${x.ref.name}@${x.ref.digest}`))];
  return {
    id: c.image.config,
    repoTags,
    repoDigests,
    size: c.image.size,
    ref: `${c.ref.name}@${c.ref.digest}`,
    config: { ...c.image.summary },
  };
}

export function createImageStore(o: ImageStoreOptions): ImageStore {
  const cache: ImageCache = createImageCache({
    root: o.root,
    platform: o.platform,
    ...(o.insecureRegistries ? { insecureRegistries: o.insecureRegistries } : {}),
    ...(o.ca ? { ca: o.ca } : {}),
    ...(o.tagTtlMs !== undefined ? { tagTtlMs: o.tagTtlMs } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  const pulled = async (c: CachedImage) => toPulled(c, await cache.refs());
  const need = async (image: string) => {
    const c = await cache.lookup(image);
    if (!c) throw new Error(`image ${image} is not pulled on this node`);
    return c;
  };

  return {
    async pull(image, auth) {
      return pulled(await platformChecked(() => cache.pull(image, auth)));
    },
    async status(image) {
      const c = await cache.lookup(image);
      return c && pulled(c);
    },
    async list() {
      const all = await cache.refs();
      const seen = new Set<string>();
      return all.filter((c) => !seen.has(c.manifest) && seen.add(c.manifest)).map((c) => toPulled(c, all));
    },
    async remove(image) {
      await cache.remove(image);
    },
    async unpack(image, dir) {
      const c = await need(image);
      const layers = c.image.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, path: cache.store.path(l.digest) }));
      await unpackLayers(layers, dir, { os: c.image.summary.os, ...(o.log ? { log: o.log } : {}) });
      return pulled(c);
    },
    gc: () => cache.gc(),
    blobs: cache.store,
    async record(names, manifest) {
      const [first] = await platformChecked(() => cache.record(names, manifest));
      if (!first) throw new Error(`image ${manifest}: no name to record it under`);
      return pulled(first);
    },
  };
}
