// OCI images built in memory (the test images, the pause image, the sample image): layers = deterministic tar + gzip with a fixed header, config
// with diff_ids of the uncompressed tars, manifest, an OCI image-layout archive, and an index over
// several platform images. Windows images keep their files under `Files/` as Windows layers do.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { writeTar, type TarEntry } from './tar.js';

export const MEDIA = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  index: 'application/vnd.oci.image.index.v1+json',
} as const;

export interface Blob {
  digest: string;
  data: Buffer;
}

export interface ImageSpec {
  /** full reference stored in the archive's index, e.g. `docker.io/tandem/busybox:1` */
  name: string;
  entries: TarEntry[];
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  architecture?: string;
  /** `linux` (default) or `windows` */
  os?: string;
  /** Windows: the image's `os.version`, e.g. `10.0.20348.1` */
  osVersion?: string;
  /** further layers applied above the first (`entries`), e.g. with whiteouts */
  moreLayers?: TarEntry[][];
}

export interface OciImage {
  name: string;
  /** default `linux` / `amd64` (archives read back by test/images/prepare.ts do not say) */
  os?: string;
  architecture?: string;
  osVersion?: string;
  manifest: Blob;
  config: Blob;
  layers: (Blob & { diffId: string })[];
}

export const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** gzip with mtime 0, no name, and the OS byte fixed to 3 (unix), like `gzip -n`. */
export function deterministicGzip(data: Buffer): Buffer {
  const gz = gzipSync(data, { level: 9 });
  gz.writeUInt32LE(0, 4);
  gz[9] = 3;
  return gz;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/** A Windows layer holds the container's files under `Files/` (and registry hives under `Hives/`). */
function windowsLayer(entries: TarEntry[]): TarEntry[] {
  const under = (p: string) => `Files/${p.replace(/^\.?\/+/, '')}`;
  return [{ type: 'dir', path: 'Files' }, { type: 'dir', path: 'Hives' }, ...entries.map((e): TarEntry => ({ ...e, path: under(e.path) }))];
}

function layerBlob(entries: TarEntry[], os: string): Blob & { diffId: string } {
  const tar = writeTar(os === 'windows' ? windowsLayer(entries) : entries);
  const layer = deterministicGzip(tar);
  return { digest: sha256(layer), data: layer, diffId: sha256(tar) };
}

export function buildImage(spec: ImageSpec): OciImage {
  const os = spec.os ?? 'linux';
  const architecture = spec.architecture ?? 'amd64';
  const layers = [spec.entries, ...(spec.moreLayers ?? [])].map((e) => layerBlob(e, os));
  const config = json({
    architecture,
    os,
    ...(spec.osVersion ? { 'os.version': spec.osVersion } : {}),
    config: {
      Env: spec.env ?? [
        os === 'windows' ? 'PATH=C:\\Windows\\system32;C:\\Windows' : 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      ],
      ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
      ...(spec.cmd ? { Cmd: spec.cmd } : {}),
      WorkingDir: spec.workingDir ?? '/',
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  });
  const configBlob = { digest: sha256(config), data: config };
  const manifest = json({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: configBlob.digest, size: config.length },
    layers: layers.map((l) => ({ mediaType: MEDIA.layer, digest: l.digest, size: l.data.length })),
  });
  return {
    name: spec.name,
    os,
    architecture,
    ...(spec.osVersion ? { osVersion: spec.osVersion } : {}),
    manifest: { digest: sha256(manifest), data: manifest },
    config: configBlob,
    layers,
  };
}

export interface OciIndex {
  index: Blob;
  images: OciImage[];
}

/** An image index over platform images (each entry's platform taken from its image). */
export function buildIndex(images: OciImage[]): OciIndex {
  const index = json({
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: images.map((img) => ({
      mediaType: MEDIA.manifest,
      digest: img.manifest.digest,
      size: img.manifest.data.length,
      platform: {
        architecture: img.architecture ?? 'amd64',
        os: img.os ?? 'linux',
        ...(img.osVersion ? { 'os.version': img.osVersion } : {}),
      },
    })),
  });
  return { index: { digest: sha256(index), data: index }, images };
}

function tagOf(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(colon + 1) : 'latest';
}

/** The image as an OCI image-layout tar archive (what `ctr images import` and skopeo read). */
export function ociArchive(img: OciImage, architecture = img.architecture ?? 'amd64'): Buffer {
  const index = json({
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [
      {
        mediaType: MEDIA.manifest,
        digest: img.manifest.digest,
        size: img.manifest.data.length,
        platform: { architecture, os: img.os ?? 'linux' },
        annotations: { 'io.containerd.image.name': img.name, 'org.opencontainers.image.ref.name': tagOf(img.name) },
      },
    ],
  });
  const blob = (b: Blob): TarEntry => ({ type: 'file', path: `blobs/sha256/${b.digest.slice('sha256:'.length)}`, data: b.data });
  return writeTar([
    { type: 'file', path: 'oci-layout', data: json({ imageLayoutVersion: '1.0.0' }) },
    { type: 'file', path: 'index.json', data: index },
    { type: 'dir', path: 'blobs' },
    { type: 'dir', path: 'blobs/sha256' },
    blob(img.manifest),
    blob(img.config),
    ...img.layers.map(blob),
  ]);
}
