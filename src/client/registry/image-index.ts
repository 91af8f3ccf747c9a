// The small JSON index beside the blobs: which reference names which manifest (and when a tag was
// last resolved), and what each stored platform manifest holds. Written whole and atomically; it
// is tiny next to the layers it describes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../base/fs-atomic.js';
import type { Descriptor } from './media-types.js';

/** The process-relevant parts of an image config, kept so that status() needs no blob read. */
export interface ImageConfigSummary {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  os: string;
  architecture: string;
  osVersion?: string;
}

export interface ImageRecord {
  /** digest of the config blob: the image id */
  config: string;
  layers: Descriptor[];
  /** config + compressed layers, bytes */
  size: number;
  summary: ImageConfigSummary;
}

export interface RefRecord {
  /** `docker.io/library/busybox` */
  name: string;
  /** what the reference resolved to: an index or a manifest */
  digest: string;
  /** the platform manifest chosen from it (= digest for a single-manifest image) */
  manifest: string;
  /** ms since the epoch */
  resolvedAt: number;
}

export interface IndexFile {
  version: 1;
  /** key: normalised reference, `name:tag` or `name@digest` */
  refs: Record<string, RefRecord>;
  /** key: platform manifest digest */
  images: Record<string, ImageRecord>;
}

export async function loadIndex(root: string): Promise<IndexFile> {
  let text: string;
  try {
    text = await readFile(join(root, 'index.json'), 'utf8');
  } catch {
    return { version: 1, refs: {}, images: {} };
  }
  let doc: Partial<IndexFile>;
  try {
    doc = JSON.parse(text) as Partial<IndexFile>;
  } catch (e) {
    throw new Error(`${join(root, 'index.json')}: not JSON (${(e as Error).message}); remove it to start with an empty image store`, {
      cause: e,
    });
  }
  if (doc.version !== 1 || typeof doc.refs !== 'object' || typeof doc.images !== 'object')
    throw new Error(`${join(root, 'index.json')}: not an image index of version 1`);
  return { version: 1, refs: doc.refs ?? {}, images: doc.images ?? {} };
}

export async function saveIndex(root: string, index: IndexFile): Promise<void> {
  await writeFileAtomic(join(root, 'index.json'), `${JSON.stringify(index, null, 1)}\n`, 0o644);
}
