// Reading what one image offers from its registry: the manifest by tag or digest, then the platform
// of every entry of an index, or the config blob of a single manifest. Content-addressed: a
// manifest digest whose platforms were read before is not read again (a tag re-checked after its
// TTL that still names the same manifest costs one request, not two).
import type { Readable } from 'node:stream';
import type { ImagePlatformEntry } from '../../api/scheduling/windows-pod-isolation.js';
import type { RegistryAuth } from './auth.js';
import type { RegistryClient } from './client.js';
import { verifyDigest } from './digest.js';
import { MANIFEST_ACCEPT, ManifestFormatError, parseImageConfig, type Descriptor, type ManifestDocument } from './media-types.js';
import type { ImageReference } from './reference.js';

/** Image configs are a few KB (Windows ones carry a long history, still far below this). */
const CONFIG_LIMIT = 1 << 20;
const MANIFEST_TYPES = new Set(MANIFEST_ACCEPT.split(',').map((s) => s.trim()));
const CONFIG_TYPES = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);

export interface PlatformsRead {
  /** the digest the reference resolved to (index or manifest) */
  digest: string;
  platforms: ImagePlatformEntry[];
}

export interface ReadContext {
  client: RegistryClient;
  auth?: RegistryAuth;
  /** platforms read before for a manifest digest */
  known(digest: string): ImagePlatformEntry[] | undefined;
  /** runs one registry request (the caller counts them) */
  request<T>(fn: () => Promise<T>): Promise<T>;
}

/** The entries of an index that are images: attestations (platform unknown/unknown) and entries without a platform are left out. */
function indexPlatforms(doc: ManifestDocument & { kind: 'index' }): ImagePlatformEntry[] {
  const out: ImagePlatformEntry[] = [];
  for (const m of doc.manifests) {
    const p = m.platform;
    if (!p || p.os === 'unknown' || p.architecture === 'unknown') continue;
    out.push({
      os: p.os,
      architecture: p.architecture,
      ...(p.variant ? { variant: p.variant } : {}),
      ...(p['os.version'] ? { osVersion: p['os.version'] } : {}),
      digest: m.digest,
    });
  }
  return out;
}

async function readLimited(stream: Readable, limit: number, what: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of stream) {
      n += (chunk as Buffer).length;
      if (n > limit) throw new ManifestFormatError(what, `longer than the ${limit} bytes its descriptor announces`);
      parts.push(chunk as Buffer);
    }
  } finally {
    // an early exit (the limit, a thrown error) must not leave the connection half read
    if (!stream.readableEnded) stream.destroy();
  }
  return Buffer.concat(parts);
}

async function configPlatform(ref: ImageReference, digest: string, config: Descriptor, c: ReadContext): Promise<ImagePlatformEntry> {
  const what = `config ${config.digest} of ${ref.domain}/${ref.path}@${digest}`;
  if (!CONFIG_TYPES.has(config.mediaType))
    throw new ManifestFormatError(what, `not a container image: its config has media type ${config.mediaType}`);
  if (config.size > CONFIG_LIMIT) throw new ManifestFormatError(what, `config of ${config.size} bytes is larger than ${CONFIG_LIMIT}`);
  const data = await c.request(async () => readLimited(await c.client.openBlob(ref, config, c.auth), config.size, what));
  verifyDigest(what, config.digest, data);
  const doc = parseImageConfig(what, data);
  return {
    os: doc.os,
    architecture: doc.architecture,
    ...(typeof doc.variant === 'string' && doc.variant ? { variant: doc.variant } : {}),
    ...(typeof doc['os.version'] === 'string' && doc['os.version'] ? { osVersion: doc['os.version'] } : {}),
    digest,
  };
}

/** The platforms `ref` offers, read with `auth`; throws the client's errors (see image-facts-errors.ts). */
export async function readImagePlatforms(ref: ImageReference, c: ReadContext): Promise<PlatformsRead> {
  const m = await c.request(() => c.client.getManifest(ref, c.auth));
  const what = `manifest ${ref.domain}/${ref.path}@${m.digest}`;
  if (!MANIFEST_TYPES.has(m.document.mediaType))
    throw new ManifestFormatError(what, `media type ${m.document.mediaType} is neither an image index nor an image manifest`);
  const known = c.known(m.digest);
  if (known) return { digest: m.digest, platforms: known };
  if (m.document.kind === 'index') return { digest: m.digest, platforms: indexPlatforms(m.document) };
  return { digest: m.digest, platforms: [await configPlatform(ref, m.digest, m.document.config, c)] };
}
