// Puts the images of an archive (image-archive.ts) into a node's image stores: the native process
// runtime's store (each blob checked into its content store, then the names recorded), and a
// containerd through `ctr images import`, fed on its standard input with an OCI layout written here:
// containerd then gets exactly the names and the platform manifest this import chose, whatever the
// archive's format, and every byte streamed is progress to show. containerd's CRI has no import
// call, and its content API is a streaming gRPC service; `ctr` ships with containerd (Debian's
// containerd package, containerd's Windows release) and is how Tandem imports its pause image too.
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArchiveBlob, ArchiveImage, ImageArchive } from './image-archive.js';
import type { PulledImage } from './image-source.js';
import type { ImageStore } from './image-store.js';
import { blockPadding, endOfArchive, fileHeader } from './tar.js';

/** One blob moving into a store: `bytes` of `size` so far; `done` once it is in. */
export interface BlobProgress {
  store: 'process' | 'containerd';
  image: string;
  what: 'layer' | 'config' | 'manifest';
  /** 1-based among the image's layers */
  index: number;
  count: number;
  digest: string;
  size: number;
  bytes: number;
  done: boolean;
  /** the store had it already */
  present?: boolean;
}

export type ImportProgress = (p: BlobProgress) => void;

/** The blob as it is read, reporting its progress; counts what the consumer has taken. */
function counted(src: Readable, report: (bytes: number) => void): Readable {
  let bytes = 0;
  return Readable.from(
    (async function* () {
      for await (const chunk of src as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        report(bytes);
        yield chunk;
      }
    })(),
  );
}

/** The blobs of an image in the order a store takes them: layers, then config, then manifest. */
function blobsOf(img: ArchiveImage): { blob: ArchiveBlob; what: BlobProgress['what']; index: number }[] {
  return [
    ...img.layers.map((blob, i) => ({ blob, what: 'layer' as const, index: i + 1 })),
    { blob: img.config, what: 'config' as const, index: 0 },
    { blob: img.manifest, what: 'manifest' as const, index: 0 },
  ];
}

/** Imports one image of `archive` into the process runtime's store; returns it as the store now sees it. */
export async function importToStore(
  store: ImageStore,
  archive: ImageArchive,
  img: ArchiveImage,
  progress?: ImportProgress,
): Promise<PulledImage> {
  const name = img.names[0] ?? img.manifest.digest;
  for (const { blob, what, index } of blobsOf(img)) {
    const base = { store: 'process' as const, image: name, what, index, count: img.layers.length, digest: blob.digest, size: blob.size };
    if (await store.blobs.has(blob.digest)) {
      progress?.({ ...base, bytes: blob.size, done: true, present: true });
      continue;
    }
    const src = counted(archive.open(blob), (bytes) => progress?.({ ...base, bytes, done: false }));
    await store.blobs.put(
      blob.digest,
      src,
      `${what}${what === 'layer' ? ` ${index}` : ''} ${blob.digest} of ${name} in ${archive.file}`,
      blob.size,
    );
    progress?.({ ...base, bytes: blob.size, done: true });
  }
  return store.record(img.names, img.manifest.digest);
}

export interface ContainerdImportOptions {
  /** containerd's gRPC address: `unix:///path/containerd.sock`, a socket path, or `npipe:////./pipe/name` */
  endpoint: string;
  /** the containerd namespace; the CRI's is `k8s.io` */
  namespace?: string;
  /** the ctr binary (default `ctr` on PATH) */
  ctr?: string;
  progress?: ImportProgress;
  /** called when every blob is sent and containerd unpacks the images */
  unpacking?: () => void;
}

/** The address ctr takes: a socket path, or a Windows pipe name. */
export function ctrAddress(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return endpoint.slice('unix://'.length);
  if (endpoint.startsWith('npipe://')) return endpoint.slice('npipe://'.length).replace(/\//g, '\\');
  return endpoint;
}

/** `linux/arm64/v8` as an OCI platform. */
function platformOf(img: ArchiveImage): { os: string; architecture: string; variant?: string } {
  const [os = 'linux', architecture = 'amd64', variant] = img.platform.split('/');
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** An OCI image layout holding `images` (each under its names, for its one platform), as a tar stream. */
async function* ociLayoutStream(archive: ImageArchive, images: ArchiveImage[], o: ContainerdImportOptions): AsyncGenerator<Buffer> {
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const member = (path: string, data: Buffer) => [fileHeader(path, data.length), data, blockPadding(data.length)];
  yield* member('oci-layout', json({ imageLayoutVersion: '1.0.0' }));
  const sent = new Set<string>();
  for (const img of images) {
    const name = img.names[0] ?? img.manifest.digest;
    for (const { blob, what, index } of blobsOf(img)) {
      const base = {
        store: 'containerd' as const,
        image: name,
        what,
        index,
        count: img.layers.length,
        digest: blob.digest,
        size: blob.size,
      };
      if (sent.has(blob.digest)) continue;
      sent.add(blob.digest);
      yield fileHeader(`blobs/${blob.digest.replace(':', '/')}`, blob.size);
      yield* counted(archive.open(blob), (bytes) => o.progress?.({ ...base, bytes, done: false })) as AsyncIterable<Buffer>;
      yield blockPadding(blob.size);
      o.progress?.({ ...base, bytes: blob.size, done: true });
    }
  }
  yield* member(
    'index.json',
    json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: images.flatMap((img) =>
        img.names.map((n) => ({
          mediaType: img.manifest.mediaType,
          digest: img.manifest.digest,
          size: img.manifest.size,
          platform: platformOf(img),
          annotations: { 'io.containerd.image.name': n },
        })),
      ),
    }),
  );
  yield endOfArchive();
}

/** What ctr printed last, for an error message (its output can be long). */
function tail(text: string): string {
  const lines = text.trim().split('\n');
  return lines.slice(-5).join('\n');
}

/**
 * Imports `images` of `archive` into the containerd at `o.endpoint` (namespace k8s.io unless given)
 * with `ctr images import`, which also unpacks them for its default snapshotter, as the CRI wants.
 */
export async function importToContainerd(archive: ImageArchive, images: ArchiveImage[], o: ContainerdImportOptions): Promise<void> {
  const ctr = o.ctr ?? 'ctr';
  const args = ['--address', ctrAddress(o.endpoint), '--namespace', o.namespace ?? 'k8s.io', 'images', 'import', '-'];
  const child = spawn(ctr, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-16_384);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  exited.catch(() => undefined); // awaited below, after the stream: a failed spawn must not count as unhandled meanwhile
  let streamError: Error | undefined;
  try {
    await pipeline(Readable.from(ociLayoutStream(archive, images, o)), child.stdin);
  } catch (e) {
    // a broken pipe means ctr stopped reading: its exit status and output say why
    streamError = e as Error;
    if ((e as NodeJS.ErrnoException).code !== 'EPIPE') child.kill();
  }
  if (!streamError) o.unpacking?.();
  let code: number | null;
  try {
    code = await exited;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(
        `${ctr} (containerd's command-line client) is not installed: it comes with containerd (on Debian: apt-get install containerd)`,
        { cause: e },
      );
    throw e;
  }
  if (code !== 0) {
    const why = tail(output) || streamError?.message || 'no output';
    throw new Error(`${ctr} images import into ${o.endpoint} failed (exit ${code ?? 'by signal'}): ${why}`);
  }
  if (streamError) throw streamError;
}
