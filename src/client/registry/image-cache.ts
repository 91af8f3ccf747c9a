// Pull into a local content store: resolve a reference (tags again only after a TTL), choose the
// node's platform from an index, fetch the manifest, config and layers (each verified), and record
// the reference. Lookups never touch the network; garbage collection removes what no kept
// reference reaches. Used by the agent's image store; the scheduler may read manifests the same way.
// Images imported from an archive (`tandem images import`, another process) are recorded beside
// pulled ones; the index file is read again whenever another process has replaced it.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { realClock, type Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import type { RegistryAuth } from './auth.js';
import { createRegistryClient, type RegistryClient } from './client.js';
import { createContentStore, type ContentStore } from './content-store.js';
import { loadIndex, saveIndex, type ImageConfigSummary, type ImageRecord, type IndexFile, type RefRecord } from './image-index.js';
import { ManifestFormatError, parseImageConfig, parseManifest, type Descriptor } from './media-types.js';
import { checkConfigPlatform, selectManifest, type RegistryPlatform } from './platform.js';
import { formatReference, parseReference, repoName, type ImageReference } from './reference.js';
import type { TransportOptions } from './transport.js';

export interface ImageCacheOptions extends TransportOptions {
  root: string;
  platform: RegistryPlatform;
  /** how long a resolved tag is trusted before pull() asks the registry again (default 5 min) */
  tagTtlMs?: number;
  clock?: Clock;
  log?: Logger;
  client?: RegistryClient;
  /** layers fetched at once (default 3) */
  parallel?: number;
}

/** A stored image as a reference reaches it. */
export interface CachedImage {
  key: string;
  ref: RefRecord;
  manifest: string;
  image: ImageRecord;
}

export interface ImageCache {
  readonly store: ContentStore;
  pull(image: string, auth?: RegistryAuth): Promise<CachedImage>;
  /** Without network: the stored image `image` names (reference, `name@digest`, or image id). */
  lookup(image: string): Promise<CachedImage | undefined>;
  /** Every kept reference. */
  refs(): Promise<CachedImage[]>;
  /**
   * Records `names` (references with a tag) for the platform manifest `manifest`, whose config and
   * layers are already in the store: an image imported from an archive. Checks that the image is
   * complete and fits the node's platform; a name that named another image is moved to this one.
   */
  record(names: string[], manifest: string): Promise<CachedImage[]>;
  /** Forgets the reference, or every reference to the image when `image` is an id; true when one was kept. */
  remove(image: string): Promise<boolean>;
  gc(): Promise<{ removedBlobs: number; freedBytes: number }>;
}

const ID = /^(?:sha256:)?([a-f0-9]{64})$/;

/** The index key of a reference: `name@digest` when it has one (a tag beside it is informational), else `name:tag`. */
const refKey = (r: ImageReference): string => (r.digest ? `${repoName(r)}@${r.digest}` : formatReference(r));

function summarize(what: string, data: Buffer): { summary: ImageConfigSummary; doc: ReturnType<typeof parseImageConfig> } {
  const doc = parseImageConfig(what, data);
  const c = doc.config ?? {};
  const summary: ImageConfigSummary = {
    entrypoint: c.Entrypoint ?? [],
    cmd: c.Cmd ?? [],
    env: c.Env ?? [],
    workingDir: c.WorkingDir ?? '',
    os: doc.os,
    architecture: doc.architecture,
    ...(doc['os.version'] ? { osVersion: doc['os.version'] } : {}),
  };
  return { summary, doc };
}

export function createImageCache(o: ImageCacheOptions): ImageCache {
  const clock = o.clock ?? realClock;
  const ttl = o.tagTtlMs ?? 5 * 60_000;
  const client = o.client ?? createRegistryClient(o);
  const store = createContentStore(o.root);
  const log = o.log;
  // The index lives in memory and is read again when the file is not the one this process last
  // read or wrote (a write replaces it by rename: a new inode), so that an import by another process
  // shows at the next lookup. Changes run one at a time, each on the file's latest content, and a
  // lookup never swaps the index under a change in progress. Two processes writing at the very same
  // moment can still lose one's change.
  const indexFile = join(o.root, 'index.json');
  const fileStamp = async () => {
    const st = await stat(indexFile).catch(() => undefined);
    return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : '';
  };
  let index: IndexFile | undefined;
  let stamp = '';
  let writing = false;
  let writes = 0;
  const adopt = (fresh: IndexFile, now: string): IndexFile => {
    stamp = now;
    // one object for the life of the cache: callers hold it across awaits
    if (!index) index = fresh;
    else Object.assign(index, { refs: fresh.refs, images: fresh.images });
    return index;
  };
  const load = async (): Promise<IndexFile> => {
    const now = await fileStamp();
    if (index && (now === stamp || writing)) return index;
    const gen = writes;
    const fresh = await loadIndex(o.root);
    if (index && (writing || writes !== gen)) return index;
    return adopt(fresh, now);
  };
  let chain: Promise<unknown> = Promise.resolve();
  /** Runs `change` on the latest index and saves it; changes are serialized. */
  const update = <T>(change: (ix: IndexFile) => T): Promise<T> => {
    const run = chain.then(async () => {
      writing = true;
      try {
        const now = await fileStamp();
        const ix = index && now === stamp ? index : adopt(await loadIndex(o.root), now);
        const out = change(ix);
        await saveIndex(o.root, ix);
        stamp = await fileStamp();
        writes++;
        return out;
      } finally {
        writing = false;
      }
    });
    chain = run.catch(() => undefined);
    return run;
  };
  const inflight = new Map<string, Promise<CachedImage>>();
  let collecting: Promise<unknown> | undefined;

  const view = (ix: IndexFile, key: string): CachedImage | undefined => {
    const ref = ix.refs[key];
    const image = ref && ix.images[ref.manifest];
    return ref && image ? { key, ref, manifest: ref.manifest, image } : undefined;
  };

  async function complete(c: CachedImage): Promise<boolean> {
    const digests = [c.ref.digest, c.manifest, c.image.config, ...c.image.layers.map((l) => l.digest)];
    for (const d of digests) if (!(await store.has(d))) return false;
    return true;
  }

  async function fetchLayers(ref: ImageReference, layers: Descriptor[], auth: RegistryAuth | undefined): Promise<void> {
    const todo: Descriptor[] = [];
    for (const l of layers) if (!(await store.has(l.digest))) todo.push(l);
    let next = 0;
    const worker = async () => {
      for (let l = todo[next++]; l; l = todo[next++]) {
        const what = `layer ${l.digest} of ${repoName(ref)}`;
        await store.put(l.digest, await client.openBlob(ref, l, auth), what, l.size);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.parallel ?? 3, todo.length) }, worker));
  }

  async function resolve(ref: ImageReference, key: string, auth: RegistryAuth | undefined): Promise<CachedImage> {
    const name = formatReference(ref);
    const top = await client.getManifest(ref, auth);
    await store.put(top.digest, top.data, `manifest of ${name}`);
    let manifest = top;
    if (top.document.kind === 'index') {
      const chosen = selectManifest(name, top.document, o.platform);
      manifest = await client.getManifest(ref, auth, chosen.digest);
      if (manifest.document.kind !== 'manifest')
        throw new ManifestFormatError(
          `manifest ${chosen.digest} of ${name}`,
          'an index entry is itself an index (nested indexes are not supported)',
        );
      await store.put(manifest.digest, manifest.data, `manifest ${manifest.digest} of ${name}`);
    }
    const doc = manifest.document;
    if (doc.kind !== 'manifest') throw new ManifestFormatError(name, 'expected an image manifest');
    const configWhat = `config ${doc.config.digest} of ${name}`;
    if (!(await store.has(doc.config.digest))) {
      await store.put(doc.config.digest, await client.openBlob(ref, doc.config, auth), configWhat, doc.config.size);
    }
    const { summary, doc: config } = summarize(configWhat, await store.read(doc.config.digest));
    checkConfigPlatform(name, config, o.platform);
    await fetchLayers(ref, doc.layers, auth);
    const image: ImageRecord = {
      config: doc.config.digest,
      layers: doc.layers,
      size: doc.config.size + doc.layers.reduce((n, l) => n + l.size, 0),
      summary,
    };
    const refRecord = { name: repoName(ref), digest: top.digest, manifest: manifest.digest, resolvedAt: clock.now() };
    await update((ix) => {
      ix.images[manifest.digest] = image;
      ix.refs[key] = refRecord;
    });
    log?.info('pulled image', { image: name, digest: top.digest, manifest: manifest.digest, layers: doc.layers.length });
    return { key, ref: refRecord, manifest: manifest.digest, image };
  }

  async function pullOnce(ref: ImageReference, key: string, auth: RegistryAuth | undefined): Promise<CachedImage> {
    while (collecting) await collecting;
    const have = view(await load(), key);
    const fresh = have && (ref.digest !== undefined || clock.now() - have.ref.resolvedAt < ttl);
    if (have && fresh && (await complete(have))) return have;
    return resolve(ref, key, auth);
  }

  function lookupIn(ix: IndexFile, image: string): CachedImage | undefined {
    const id = ID.exec(image);
    const all = () => Object.keys(ix.refs).flatMap((k) => view(ix, k) ?? []);
    if (id) {
      const d = `sha256:${id[1]}`;
      return all().find((c) => c.image.config === d || c.manifest === d || c.ref.digest === d);
    }
    const ref = parseReference(image);
    const key = refKey(ref);
    const direct = view(ix, key);
    if (direct || !ref.digest) return direct;
    const name = repoName(ref);
    return all().find((c) => c.ref.name === name && (c.ref.digest === ref.digest || c.manifest === ref.digest));
  }
  const lookup = async (image: string): Promise<CachedImage | undefined> => lookupIn(await load(), image);

  async function record(names: string[], manifest: string): Promise<CachedImage[]> {
    const what = `image ${manifest}`;
    if (!(await store.has(manifest))) throw new Error(`${what}: its manifest is not in the image store`);
    const doc = parseManifest(`manifest ${manifest}`, await store.read(manifest));
    if (doc.kind !== 'manifest') throw new ManifestFormatError(`manifest ${manifest}`, 'expected an image manifest, not an index');
    const configWhat = `config ${doc.config.digest} of ${what}`;
    if (!(await store.has(doc.config.digest))) throw new Error(`${configWhat} is not in the image store`);
    const { summary, doc: config } = summarize(configWhat, await store.read(doc.config.digest));
    const refs = names.map((n) => parseReference(n));
    checkConfigPlatform(refs[0] ? formatReference(refs[0]) : what, config, o.platform);
    for (const l of doc.layers) if (!(await store.has(l.digest))) throw new Error(`layer ${l.digest} of ${what} is not in the image store`);
    const image: ImageRecord = {
      config: doc.config.digest,
      layers: doc.layers,
      size: doc.config.size + doc.layers.reduce((n, l) => n + l.size, 0),
      summary,
    };
    const recorded = await update((ix) => {
      ix.images[manifest] = image;
      const keys = refs.map((ref) => {
        const key = refKey(ref);
        ix.refs[key] = { name: repoName(ref), digest: manifest, manifest, resolvedAt: clock.now() };
        return key;
      });
      return keys.flatMap((k) => view(ix, k) ?? []);
    });
    log?.info('imported image', { names: recorded.map((c) => c.key).join(','), manifest, layers: doc.layers.length });
    return recorded;
  }

  return {
    store,
    record,
    async pull(image, auth) {
      const ref = parseReference(image);
      const key = refKey(ref);
      let p = inflight.get(key);
      if (!p) {
        p = pullOnce(ref, key, auth).finally(() => inflight.delete(key));
        inflight.set(key, p);
      }
      return p;
    },
    lookup,
    async refs() {
      const ix = await load();
      return Object.keys(ix.refs).flatMap((k) => view(ix, k) ?? []);
    },
    async remove(image) {
      return update((ix) => {
        const id = ID.exec(image);
        const keys = id
          ? Object.keys(ix.refs).filter((k) => {
              const c = view(ix, k);
              return c && (c.image.config === `sha256:${id[1]}` || c.manifest === `sha256:${id[1]}`);
            })
          : [lookupIn(ix, image)?.key].filter((k): k is string => !!k);
        for (const k of keys) delete ix.refs[k];
        return keys.length > 0;
      });
    },
    async gc() {
      while (collecting) await collecting;
      const run = (async () => {
        await Promise.allSettled([...inflight.values()]);
        const keep = await update((ix) => {
          const kept = new Set<string>();
          const used = new Set<string>();
          for (const r of Object.values(ix.refs)) {
            kept.add(r.digest);
            kept.add(r.manifest);
            used.add(r.manifest);
          }
          for (const m of Object.keys(ix.images)) {
            const img = ix.images[m];
            if (!used.has(m) || !img) {
              delete ix.images[m];
              continue;
            }
            kept.add(img.config);
            for (const l of img.layers) kept.add(l.digest);
          }
          return kept;
        });
        let removedBlobs = 0;
        let freedBytes = 0;
        for (const d of await store.list()) {
          if (keep.has(d)) continue;
          freedBytes += await store.remove(d);
          removedBlobs++;
        }
        await store.clearTemp();
        if (removedBlobs) log?.info('image garbage collection', { removedBlobs, freedBytes });
        return { removedBlobs, freedBytes };
      })();
      collecting = run;
      try {
        return await run;
      } finally {
        collecting = undefined;
      }
    },
  };
}
