// Test support: image archives as other tools write them, to read back: an OCI image layout whose
// index.json entries carry chosen annotations (or point at an index), and docker save's format.
import { gunzipSync } from 'node:zlib';
import { MEDIA, type Blob, type OciImage, type OciIndex } from '../oci.js';
import { writeTar, type TarEntry } from '../tar.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const blobEntry = (b: Blob): TarEntry => ({ type: 'file', path: `blobs/sha256/${b.digest.slice('sha256:'.length)}`, data: b.data });

/** Every blob of the images (and of the index), as archive members. */
export function blobEntries(images: OciImage[], index?: Blob): TarEntry[] {
  const seen = new Set<string>();
  const out: TarEntry[] = [];
  for (const b of [...(index ? [index] : []), ...images.flatMap((i) => [i.manifest, i.config, ...i.layers])]) {
    if (seen.has(b.digest)) continue;
    seen.add(b.digest);
    out.push(blobEntry(b));
  }
  return out;
}

export interface LayoutEntry {
  /** the manifest (or index) the entry points at */
  target: Blob;
  mediaType?: string;
  annotations?: Record<string, string>;
}

/** An OCI layout's members: oci-layout, index.json with `entries`, and the blobs given. */
export function layoutEntries(entries: LayoutEntry[], blobs: TarEntry[]): TarEntry[] {
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: entries.map((e) => ({
      mediaType: e.mediaType ?? MEDIA.manifest,
      digest: e.target.digest,
      size: e.target.data.length,
      ...(e.annotations ? { annotations: e.annotations } : {}),
    })),
  };
  return [
    { type: 'file', path: 'oci-layout', data: json({ imageLayoutVersion: '1.0.0' }) },
    { type: 'file', path: 'index.json', data: json(index) },
    ...blobs,
  ];
}

/** An OCI layout of one multi-platform index, named `name`. */
export function indexArchive(idx: OciIndex, name: string): Buffer {
  return writeTar(
    layoutEntries(
      [{ target: idx.index, mediaType: MEDIA.index, annotations: { 'io.containerd.image.name': name } }],
      blobEntries(idx.images, idx.index),
    ),
  );
}

/** `docker save` of the images (legacy layout: `<id>.json` configs, `<n>/layer.tar` plain layers, manifest.json). */
export function dockerSaveArchive(images: { img: OciImage; repoTags: string[] }[]): Buffer {
  const members: TarEntry[] = [];
  const manifest = images.map(({ img, repoTags }, i) => {
    const config = `${img.config.digest.slice('sha256:'.length)}.json`;
    members.push({ type: 'file', path: config, data: img.config.data });
    const layers = img.layers.map((l, j) => {
      const path = `layer-${i}-${j}/layer.tar`;
      members.push({ type: 'dir', path: `layer-${i}-${j}` }, { type: 'file', path, data: gunzipSync(l.data) });
      return path;
    });
    return { Config: config, RepoTags: repoTags, Layers: layers };
  });
  members.push({ type: 'file', path: 'manifest.json', data: json(manifest) });
  return writeTar(members);
}
