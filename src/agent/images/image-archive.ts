// Image archives as `docker save`, `ctr images export`, skopeo and buildx write them, for nodes that
// cannot reach a registry: an OCI image layout in a tar file (oci-layout, index.json, blobs/sha256/…)
// or Docker's save format (manifest.json naming each image's config and layer tars by path). Opening
// one reads only the tar headers and the small JSON documents; each image is resolved for the node's
// platform, and a layer is streamed from its place in the file only when a store takes it (the store
// checks its digest).
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { sha256Of } from '../../client/registry/digest.js';
import { parseImageConfig, parseManifest, type Descriptor, type ManifestDocument } from '../../client/registry/media-types.js';
import { checkConfigPlatform, selectManifest, type RegistryPlatform } from '../../client/registry/platform.js';
import { formatReference, parseReference } from '../../client/registry/reference.js';
import { listTarFile, type TarFileEntry } from './tar-read.js';

/** The archive cannot be imported; the message names the file and what is wrong with it. */
export class ImageArchiveError extends Error {
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'ImageArchiveError';
  }
}

export interface ArchiveBlob {
  digest: string;
  size: number;
  mediaType: string;
}

/** A document held in memory (manifest, config). */
interface ArchiveDocument extends ArchiveBlob {
  data: Buffer;
}

export interface ArchiveImage {
  /** normalised references to store it under (`docker.io/tandem/hello:1`) */
  names: string[];
  /** the platform manifest: the archive's own, or one made for an image of a docker save archive */
  manifest: ArchiveDocument;
  config: ArchiveDocument;
  layers: ArchiveBlob[];
  /** `linux/amd64` */
  platform: string;
  /** config and layers, bytes */
  size: number;
}

export interface ImageArchive {
  file: string;
  format: 'oci' | 'docker';
  /** the images for the node's platform, one per platform manifest */
  images: ArchiveImage[];
  /** images the archive holds that cannot be imported here (another platform), and why */
  skipped: { name: string; reason: string }[];
  /** The blob's bytes as they are in the archive (a manifest or config from memory). */
  open(blob: ArchiveBlob): Readable;
}

export interface OpenArchiveOptions {
  /** the node's platform: an index's entry for it is taken, an image of another platform skipped */
  platform: RegistryPlatform;
  /** the name to store the archive's only image under, replacing the names it carries */
  name?: string;
}

const MEDIA = {
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
} as const;
/** index.json, manifest.json, manifests and configs are small; anything larger here is not one of them */
const MAX_DOCUMENT = 16 << 20;
/** an OCI ref.name that is only a tag, which needs a repository from elsewhere */
const TAG_ONLY = /^[\w][\w.-]{0,127}$/;

const platformText = (p: RegistryPlatform) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;

/** What a file that is not a plain tar is, from its first bytes, and how to unpack it. */
function compressed(head: Buffer): string | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip-compressed: unpack it first (gunzip -k FILE)';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd-compressed: unpack it first (zstd -d FILE)';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2-compressed: unpack it first (bunzip2 -k FILE)';
  if (head[0] === 0xfd && head.subarray(1, 6).toString('latin1') === '7zXZ\0') return 'xz-compressed: unpack it first (unxz -k FILE)';
  return undefined;
}

async function readAt(file: string, offset: number, n: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(n);
    const { bytesRead } = await fh.read(b, 0, n, offset);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function listMembers(file: string): Promise<Map<string, TarFileEntry>> {
  const st = await stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new ImageArchiveError(file, e.code === 'ENOENT' ? 'no such file' : `cannot read it (${e.message})`);
  });
  if (st.isDirectory())
    throw new ImageArchiveError(file, 'is a directory; import an OCI layout directory as a tar of it (tar -cf image.tar -C DIR .)');
  if (st.size === 0) throw new ImageArchiveError(file, 'is empty');
  const why = compressed(await readAt(file, 0, 8));
  if (why) throw new ImageArchiveError(file, `is ${why.replace('FILE', file)}`);
  let entries: TarFileEntry[];
  try {
    entries = await listTarFile(file);
  } catch (e) {
    throw new ImageArchiveError(file, `is not a tar archive (${(e as Error).message})`);
  }
  const members = new Map<string, TarFileEntry>();
  for (const e of entries) if (e.type === 'file') members.set(e.path.replace(/^(\.\/)+/, ''), e);
  return members;
}

interface Ctx {
  file: string;
  members: Map<string, TarFileEntry>;
  platform: RegistryPlatform;
  /** where each layer an image uses lies in the file */
  located: Map<string, TarFileEntry>;
}

async function readMember(c: Ctx, path: string, what: string): Promise<Buffer> {
  const m = c.members.get(path);
  if (!m) throw new ImageArchiveError(c.file, `${what} (${path}) is not in the archive`);
  if (m.size > MAX_DOCUMENT) throw new ImageArchiveError(c.file, `${what} (${path}) is ${m.size} bytes: too large to be one`);
  return readAt(c.file, m.offset, m.size);
}

const blobPath = (digest: string) => `blobs/${digest.replace(':', '/')}`;

/** A manifest or config blob of an OCI layout, checked against its digest. */
async function readBlob(c: Ctx, d: { digest: string; mediaType: string }, what: string): Promise<ArchiveDocument> {
  const data = await readMember(c, blobPath(d.digest), what);
  const actual = sha256Of(data);
  if (actual !== d.digest) throw new ImageArchiveError(c.file, `${what} is corrupt: its content has digest ${actual}, not ${d.digest}`);
  return { digest: d.digest, size: data.length, mediaType: d.mediaType, data };
}

function parseJson(c: Ctx, path: string, data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new ImageArchiveError(c.file, `${path} is not JSON (${(e as Error).message})`);
  }
}

/** Runs a parser of client/registry, whose errors name the document, as an error about the archive. */
function parsed<T>(c: Ctx, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new ImageArchiveError(c.file, (e as Error).message);
  }
}

/** A name in its normalised form (`busybox` → `docker.io/library/busybox:latest`); a bad one names where it came from. */
const normalise = (c: Ctx, name: string, from: string): string =>
  parsed(c, () => {
    try {
      return formatReference(parseReference(name));
    } catch (e) {
      throw new Error(`${from}: ${(e as Error).message}`, { cause: e });
    }
  });

interface Resolved {
  names: string[];
  manifest: ArchiveDocument;
  config: ArchiveDocument;
  layers: ArchiveBlob[];
  platform: string;
}

/** The config's platform (`linux/amd64`); PlatformMismatchError when the node cannot run it. */
function configPlatform(c: Ctx, label: string, config: ArchiveDocument): string {
  const doc = parsed(c, () => parseImageConfig(`the config of ${label}`, config.data));
  checkConfigPlatform(label, doc, c.platform);
  return platformText({ os: doc.os, architecture: doc.architecture, ...(doc.variant ? { variant: doc.variant } : {}) });
}

/** An index.json entry: a manifest, or an index whose entry for the node's platform is taken. */
async function resolveOci(c: Ctx, entry: Descriptor, label: string): Promise<Omit<Resolved, 'names'>> {
  let manifest = await readBlob(c, entry, `the manifest of ${label}`);
  let doc: ManifestDocument = parsed(c, () => parseManifest(`the manifest of ${label}`, manifest.data, entry.mediaType));
  if (doc.kind === 'index') {
    const chosen = selectManifest(label, doc, c.platform);
    manifest = await readBlob(c, chosen, `the ${platformText(c.platform)} manifest of ${label}`);
    doc = parsed(c, () => parseManifest(`manifest ${chosen.digest} of ${label}`, manifest.data, chosen.mediaType));
    if (doc.kind !== 'manifest') throw new ImageArchiveError(c.file, `${label}: an index entry is itself an index (not supported)`);
  }
  manifest = { ...manifest, mediaType: doc.mediaType };
  const config = await readBlob(c, doc.config, `the config of ${label}`);
  const platform = configPlatform(c, label, config);
  const layers = doc.layers.map((l, i): ArchiveBlob => {
    const m = c.members.get(blobPath(l.digest));
    if (!m) throw new ImageArchiveError(c.file, `layer ${i + 1} of ${label} (${l.digest}) is not in the archive`);
    if (m.size !== l.size)
      throw new ImageArchiveError(c.file, `layer ${i + 1} of ${label} (${l.digest}) is ${m.size} bytes, its manifest says ${l.size}`);
    c.located.set(l.digest, m);
    return { digest: l.digest, size: l.size, mediaType: l.mediaType };
  });
  return { manifest, config, layers, platform };
}

/** The names an index.json entry gives its image: containerd's full name, else ref.name when it is more than a tag. */
function ociNames(c: Ctx, annotations: unknown, i: number): string[] {
  const a = (typeof annotations === 'object' && annotations ? annotations : {}) as Record<string, unknown>;
  const full = a['io.containerd.image.name'];
  if (typeof full === 'string' && full) return [normalise(c, full, `index.json manifests[${i}] io.containerd.image.name`)];
  const ref = a['org.opencontainers.image.ref.name'];
  if (typeof ref === 'string' && ref && !TAG_ONLY.test(ref))
    return [normalise(c, ref, `index.json manifests[${i}] org.opencontainers.image.ref.name`)];
  return [];
}

interface Found {
  names: string[];
  label: string;
  resolve(): Promise<Omit<Resolved, 'names'>>;
}

async function ociImages(c: Ctx): Promise<Found[]> {
  const raw = parseJson(c, 'index.json', await readMember(c, 'index.json', 'the OCI image index'));
  const index = parsed(c, () => parseManifest('index.json', Buffer.from(JSON.stringify(raw))));
  if (index.kind !== 'index') throw new ImageArchiveError(c.file, 'index.json is not an image index');
  const rawEntries = (raw as { manifests: { annotations?: unknown }[] }).manifests;
  return index.manifests.map((entry, i) => {
    const names = ociNames(c, rawEntries[i]?.annotations, i);
    const label = names[0] ?? `image ${i + 1} of index.json (${entry.digest.slice(0, 19)}…)`;
    return { names, label, resolve: () => resolveOci(c, entry, label) };
  });
}

interface DockerEntry {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

/** A docker save image: config and layer tars by path; its manifest is made here (plain tar layers, by their diff ids). */
async function resolveDocker(c: Ctx, e: { Config: string; Layers: string[] }, label: string): Promise<Omit<Resolved, 'names'>> {
  const data = await readMember(c, e.Config.replace(/^(\.\/)+/, ''), `the config of ${label}`);
  const config: ArchiveDocument = { digest: sha256Of(data), size: data.length, mediaType: MEDIA.dockerConfig, data };
  const platform = configPlatform(c, label, config);
  const diffIds = parsed(c, () => parseImageConfig(`the config of ${label}`, data)).rootfs?.diff_ids ?? [];
  if (diffIds.length !== e.Layers.length)
    throw new ImageArchiveError(c.file, `the config of ${label} lists ${diffIds.length} layers, manifest.json ${e.Layers.length}`);
  const layers: ArchiveBlob[] = [];
  for (const [j, path] of e.Layers.entries()) {
    const m = c.members.get(path.replace(/^(\.\/)+/, ''));
    if (!m) throw new ImageArchiveError(c.file, `layer ${j + 1} of ${label} (${path}) is not in the archive`);
    if (compressed(await readAt(c.file, m.offset, 8)))
      throw new ImageArchiveError(c.file, `layer ${j + 1} of ${label} (${path}) is compressed, where docker save writes plain tars`);
    const digest = String(diffIds[j]);
    c.located.set(digest, m);
    layers.push({ digest, size: m.size, mediaType: MEDIA.dockerLayer });
  }
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.dockerManifest,
      config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    }),
  );
  const manifest: ArchiveDocument = { digest: sha256Of(body), size: body.length, mediaType: MEDIA.dockerManifest, data: body };
  return { manifest, config, layers, platform };
}

async function dockerImages(c: Ctx): Promise<Found[]> {
  const raw = parseJson(c, 'manifest.json', await readMember(c, 'manifest.json', 'the docker save manifest'));
  if (!Array.isArray(raw)) throw new ImageArchiveError(c.file, 'manifest.json is not a list of images');
  return (raw as DockerEntry[]).map((e, i) => {
    const where = `manifest.json[${i}]`;
    const { Config, Layers } = e ?? {};
    if (typeof Config !== 'string' || !Array.isArray(Layers) || !Layers.every((l): l is string => typeof l === 'string'))
      throw new ImageArchiveError(c.file, `${where} needs Config (a path) and Layers (paths)`);
    const tags = Array.isArray(e.RepoTags) ? e.RepoTags.filter((t): t is string => typeof t === 'string') : [];
    const names = tags.map((t) => normalise(c, t, `${where} RepoTags`));
    const label = names[0] ?? `image ${i + 1} of manifest.json (${Config})`;
    return { names, label, resolve: () => resolveDocker(c, { Config, Layers }, label) };
  });
}

/**
 * Reads an image archive's structure for a node of `platform`. Throws ImageArchiveError when the
 * file is not an image archive, or none of its images can be imported here (with each one's reason).
 */
export async function openImageArchive(file: string, o: OpenArchiveOptions): Promise<ImageArchive> {
  const c: Ctx = { file, members: await listMembers(file), platform: o.platform, located: new Map() };
  const format = c.members.has('index.json') ? 'oci' : c.members.has('manifest.json') ? 'docker' : undefined;
  if (!format)
    throw new ImageArchiveError(
      file,
      'is not an image archive: it has neither index.json (an OCI image layout) nor manifest.json (docker save)',
    );
  const found = format === 'oci' ? await ociImages(c) : await dockerImages(c);
  if (!found.length) throw new ImageArchiveError(file, `${format === 'oci' ? 'index.json' : 'manifest.json'} lists no images`);
  const byManifest = new Map<string, ArchiveImage>();
  const skipped: ImageArchive['skipped'] = [];
  for (const f of found) {
    let r: Omit<Resolved, 'names'>;
    try {
      r = await f.resolve();
    } catch (e) {
      if (e instanceof ImageArchiveError) throw e;
      skipped.push({ name: f.label, reason: (e as Error).message });
      continue;
    }
    const have = byManifest.get(r.manifest.digest);
    if (have) have.names.push(...f.names.filter((n) => !have.names.includes(n)));
    else byManifest.set(r.manifest.digest, { ...r, names: [...f.names], size: r.config.size + r.layers.reduce((n, l) => n + l.size, 0) });
  }
  const images = [...byManifest.values()];
  if (!images.length)
    throw new ImageArchiveError(
      file,
      `no image in it runs on this node (${platformText(o.platform)}): ${skipped.map((s) => s.reason).join('; ')}`,
    );
  if (o.name !== undefined) {
    if (images.length !== 1)
      throw new ImageArchiveError(
        file,
        `--name names one image, and the archive has ${images.length} for this platform (${images.map((i) => i.names[0] ?? i.manifest.digest).join(', ')})`,
      );
    const only = images[0] as ArchiveImage;
    only.names = [normalise(c, o.name, '--name')];
  }
  const unnamed = images.find((i) => !i.names.length);
  if (unnamed)
    throw new ImageArchiveError(
      file,
      `image ${unnamed.manifest.digest} has no name in the archive (no io.containerd.image.name or full ref.name annotation, or no RepoTags): give one with --name REPOSITORY:TAG`,
    );
  return {
    file,
    format,
    images,
    skipped,
    open(blob) {
      for (const img of images) {
        for (const d of [img.manifest, img.config]) if (d.digest === blob.digest) return Readable.from([d.data]);
      }
      const m = c.located.get(blob.digest);
      if (!m) throw new Error(`${file}: blob ${blob.digest} is not one of the archive's images`);
      if (m.size === 0) return Readable.from([]);
      return createReadStream(file, { start: m.offset, end: m.offset + m.size - 1 });
    },
  };
}
