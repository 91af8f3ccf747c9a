// The manifest documents a pull reads: OCI image index and manifest, and their Docker v2 schema 2
// twins (manifest list, manifest). Parsing checks the fields the client relies on, so a malformed
// document is an error that names the field instead of a crash later on.
import { isSha256 } from './digest.js';

const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** What a manifest request accepts, most preferred first. */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerList, MEDIA_TYPES.dockerManifest].join(
  ', ',
);

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  urls?: string[];
  annotations?: Record<string, string>;
}

export type ManifestDocument =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'manifest'; mediaType: string; config: Descriptor; layers: Descriptor[] };

/** The parts of an image config (OCI image config / Docker container config) the client reads. */
export interface ImageConfigDocument {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; WorkingDir?: string };
  rootfs?: { type: string; diff_ids: string[] };
}

export class ManifestFormatError extends Error {
  constructor(what: string, reason: string) {
    super(`${what}: ${reason}`);
    this.name = 'ManifestFormatError';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(what: string, data: Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new ManifestFormatError(what, `not JSON (${(e as Error).message})`);
  }
  if (!isObj(v)) throw new ManifestFormatError(what, 'not a JSON object');
  return v;
}

function descriptor(what: string, field: string, v: unknown): Descriptor {
  if (!isObj(v)) throw new ManifestFormatError(what, `${field} is not an object`);
  const { mediaType, digest, size, platform, urls } = v;
  if (typeof mediaType !== 'string') throw new ManifestFormatError(what, `${field}.mediaType is missing`);
  if (typeof digest !== 'string' || !isSha256(digest))
    throw new ManifestFormatError(what, `${field}.digest "${String(digest)}" is not a sha256 digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw new ManifestFormatError(what, `${field}.size is not a size`);
  const d: Descriptor = { mediaType, digest, size };
  if (platform !== undefined) {
    if (!isObj(platform) || typeof platform['os'] !== 'string' || typeof platform['architecture'] !== 'string')
      throw new ManifestFormatError(what, `${field}.platform needs os and architecture`);
    d.platform = {
      os: platform['os'],
      architecture: platform['architecture'],
      ...(typeof platform['variant'] === 'string' ? { variant: platform['variant'] } : {}),
      ...(typeof platform['os.version'] === 'string' ? { 'os.version': platform['os.version'] } : {}),
    };
  }
  if (Array.isArray(urls)) d.urls = urls.filter((u): u is string => typeof u === 'string');
  return d;
}

/** Parses a manifest or index; `contentType` (the response's) wins over the body's mediaType when both exist. */
export function parseManifest(what: string, data: Buffer, contentType?: string): ManifestDocument {
  const doc = parseJson(what, data);
  const ct = contentType?.split(';')[0]?.trim();
  const mediaType =
    (typeof doc['mediaType'] === 'string' ? doc['mediaType'] : undefined) ?? (ct && ct !== 'application/json' ? ct : undefined);
  if (mediaType === MEDIA_TYPES.dockerSchema1 || doc['schemaVersion'] === 1)
    throw new ManifestFormatError(what, 'Docker image manifest schema 1 is not supported (push the image again with a current client)');
  if (Array.isArray(doc['manifests'])) {
    const manifests = doc['manifests'].map((m, i) => descriptor(what, `manifests[${i}]`, m));
    return { kind: 'index', mediaType: mediaType ?? MEDIA_TYPES.ociIndex, manifests };
  }
  if (isObj(doc['config']) && Array.isArray(doc['layers'])) {
    return {
      kind: 'manifest',
      mediaType: mediaType ?? MEDIA_TYPES.ociManifest,
      config: descriptor(what, 'config', doc['config']),
      layers: doc['layers'].map((l, i) => descriptor(what, `layers[${i}]`, l)),
    };
  }
  throw new ManifestFormatError(what, `neither an image index nor an image manifest (mediaType ${mediaType ?? 'unset'})`);
}

export function parseImageConfig(what: string, data: Buffer): ImageConfigDocument {
  const doc = parseJson(what, data);
  if (typeof doc['os'] !== 'string' || typeof doc['architecture'] !== 'string')
    throw new ManifestFormatError(what, 'image config needs os and architecture');
  return doc as unknown as ImageConfigDocument;
}
