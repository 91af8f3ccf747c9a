// The OCI distribution API client: manifests by tag or digest, blobs (streamed), with the auth
// dance done once per repository and cached (a Bearer token until it expires, or Basic
// credentials). Every manifest is checked against the digest asked for or announced.
import type { Readable } from 'node:stream';
import { realClock, type Clock } from '../../base/clock.js';
import { basicCredentials, fetchToken, parseChallenges, RegistryAuthError, type RegistryAuth } from './auth.js';
import { DigestMismatchError, isSha256, sha256Of } from './digest.js';
import { MANIFEST_ACCEPT, parseManifest, type Descriptor, type ManifestDocument } from './media-types.js';
import { apiHost, type ImageReference } from './reference.js';
import { errorText, readBody, registryBaseUrl, send, type HttpRequest, type HttpResponse, type TransportOptions } from './transport.js';

export interface RegistryClientOptions extends TransportOptions {
  clock?: Clock;
}

interface FetchedManifest {
  digest: string;
  data: Buffer;
  document: ManifestDocument;
}

class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export interface RegistryClient {
  /** `GET /v2/`: the API answers (401 counts: it speaks the protocol). */
  ping(domain: string): Promise<void>;
  /** A manifest or index by the reference's digest, else its tag; verified against that digest or `Docker-Content-Digest`. */
  getManifest(ref: ImageReference, auth?: RegistryAuth, reference?: string): Promise<FetchedManifest>;
  /** A blob's bytes as a stream (the caller verifies while storing; see content-store). */
  openBlob(ref: ImageReference, desc: Descriptor, auth?: RegistryAuth): Promise<Readable>;
}

const MANIFEST_LIMIT = 4 << 20;

export function createRegistryClient(o: RegistryClientOptions = {}): RegistryClient {
  const clock = o.clock ?? realClock;
  // `Authorization` values per domain + repository; Basic lives as long as the process
  const cached = new Map<string, { header: string; expiresAt: number }>();

  async function authorize(res: HttpResponse, ref: ImageReference, auth: RegistryAuth | undefined, key: string): Promise<string> {
    res.stream.resume();
    const challenges = parseChallenges(res.headers['www-authenticate']);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const scope = bearer?.params['scope'] ?? `repository:${ref.path}:pull`;
    let header: string;
    let expiresAt = Number.POSITIVE_INFINITY;
    if (auth?.registryToken) header = `Bearer ${auth.registryToken}`;
    else if (bearer) {
      const t = await fetchToken(bearer, scope, auth, o, clock.now());
      header = `Bearer ${t.token}`;
      expiresAt = t.expiresAt;
    } else if (challenges.some((c) => c.scheme === 'basic')) {
      const basic = basicCredentials(auth);
      if (!basic) throw new RegistryAuthError(`registry ${ref.domain} requires credentials (Basic) and none were given`);
      header = `Basic ${basic}`;
    } else throw new RegistryAuthError(`registry ${ref.domain} answered 401 without a usable WWW-Authenticate challenge`);
    cached.set(key, { header, expiresAt });
    return header;
  }

  /** One API request with auth: a cached Authorization first, a fresh one after a 401, then give up. */
  async function call(
    ref: ImageReference,
    req: Omit<HttpRequest, 'url'> & { path: string },
    auth: RegistryAuth | undefined,
  ): Promise<HttpResponse> {
    const base = registryBaseUrl(apiHost(ref.domain), o.insecureRegistries);
    const key = `${ref.domain}/${ref.path}`;
    const hit = cached.get(key);
    let header = hit && hit.expiresAt > clock.now() ? hit.header : undefined;
    for (let attempt = 0; ; attempt++) {
      const res = await send(
        { method: req.method, url: `${base}${req.path}`, headers: { ...req.headers, ...(header ? { Authorization: header } : {}) } },
        o,
      );
      if (res.status !== 401 || attempt > 0) {
        if (res.status === 401) {
          cached.delete(key);
          throw new RegistryAuthError(`registry ${ref.domain} refused the credentials for ${ref.path}: ${await errorText(res)}`);
        }
        return res;
      }
      header = await authorize(res, ref, auth, key);
    }
  }

  async function failure(res: HttpResponse, what: string): Promise<RegistryError> {
    return new RegistryError(`${what}: ${await errorText(res)}`, res.status);
  }

  return {
    async ping(domain) {
      const res = await send({ method: 'GET', url: `${registryBaseUrl(apiHost(domain), o.insecureRegistries)}/v2/` }, o);
      res.stream.resume();
      if (res.status !== 200 && res.status !== 401)
        throw new RegistryError(`registry ${domain}: GET /v2/ answered ${res.status}`, res.status);
    },

    async getManifest(ref, auth, reference = ref.digest ?? ref.tag ?? 'latest') {
      const what = `manifest ${ref.domain}/${ref.path}:${reference}`;
      const res = await call(
        ref,
        { method: 'GET', path: `/v2/${ref.path}/manifests/${reference}`, headers: { Accept: MANIFEST_ACCEPT } },
        auth,
      );
      if (res.status !== 200) throw await failure(res, what);
      const data = await readBody(res, MANIFEST_LIMIT);
      const digest = sha256Of(data);
      const announced = res.headers['docker-content-digest'];
      const expected = isSha256(reference) ? reference : typeof announced === 'string' && isSha256(announced) ? announced : undefined;
      if (expected && expected !== digest) throw new DigestMismatchError(what, expected, digest);
      return { digest, data, document: parseManifest(what, data, res.headers['content-type']) };
    },

    async openBlob(ref, desc, auth) {
      const what = `blob ${desc.digest} of ${ref.domain}/${ref.path}`;
      const res = await call(ref, { method: 'GET', path: `/v2/${ref.path}/blobs/${desc.digest}` }, auth);
      if (res.status === 200) return res.stream;
      // Windows base layers were once "foreign": served from the URLs their descriptor lists
      if (res.status === 404 && desc.urls?.length) {
        res.stream.resume();
        for (const url of desc.urls) {
          const alt = await send({ method: 'GET', url }, o).catch(() => undefined);
          if (alt?.status === 200) return alt.stream;
          alt?.stream.resume();
        }
      }
      throw await failure(res, what);
    },
  };
}
