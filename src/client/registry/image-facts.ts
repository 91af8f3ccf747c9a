// Image platform facts: what an image reference offers (the os, architecture and os.version of
// each entry of its index, or of its one manifest), read from the registry with the pod's pull
// credentials and cached: by digest for good, by tag until a TTL passes. The scheduler asks
// without ever waiting (peek); the upgrade planner, the agent and the benchmark wait (get).
//
// The cache key is the reference as given plus a fingerprint of the credentials: an image that
// only a pull secret opens must fail for a pod without that secret even after a pod with it has
// read the facts. For the same reason each set of credentials gets its own registry client (the
// client keeps an Authorization per repository). One fetch per key at a time (single-flight),
// `maxInFlight` fetches overall (the rest wait in a queue), failures answered until a back-off
// passes, and at most `maxEntries` keys kept (least recently asked for go first).
import { createHash } from 'node:crypto';
import type { ImagePlatformEntry } from '../../api/scheduling/windows-pod-isolation.js';
import { realClock, type Clock } from '../../base/clock.js';
import { nullLogger, type Logger } from '../../base/log.js';
import type { RegistryAuth } from './auth.js';
import { createRegistryClient, type RegistryClient } from './client.js';
import { explainFailure, type ImageFactsFailure } from './image-facts-errors.js';
import { readImagePlatforms } from './image-facts-read.js';
import { imageRegistry } from './pull-secrets.js';
import { parseReference, type ImageReference } from './reference.js';
import type { TransportOptions } from './transport.js';

export type { ImageFactsFailure } from './image-facts-errors.js';

export interface ImageFacts {
  /** the reference as given */
  image: string;
  /** the registry host it names (`docker.io` for bare names) */
  registry: string;
  /** what the reference resolved to: an index or a single manifest */
  digest: string;
  /** every entry (attestations, platform unknown/unknown, left out) */
  platforms: ImagePlatformEntry[];
  /** ms since the epoch */
  fetchedAt: number;
}

export type ImageFactsLookup =
  | { state: 'known'; facts: ImageFacts }
  | { state: 'pending'; registry: string }
  | { state: 'failed'; registry: string; reason: ImageFactsFailure; message: string };

export class ImageFactsError extends Error {
  constructor(
    message: string,
    readonly reason: ImageFactsFailure,
    readonly registry: string,
  ) {
    super(message);
    this.name = 'ImageFactsError';
  }
}

export interface ImageFactsSource {
  /**
   * Never waits: the facts when known (a stale tag is still answered while it is re-checked), else
   * pending (a fetch is started unless one runs for the same image and credentials), else the last
   * failure (fetched again once its back-off has passed; pending is not answered in between).
   */
  peek(image: string, auth?: RegistryAuth): ImageFactsLookup;
  /** Waits: the facts, or an ImageFactsError. */
  get(image: string, auth?: RegistryAuth): Promise<ImageFacts>;
  /** Called after a fetch settles (facts or failure) with the image reference as given. */
  onSettled(fn: (image: string) => void): () => void;
}

export interface ImageFactsOptions extends TransportOptions {
  /**
   * One client for every set of credentials: only for clients that do not keep an Authorization
   * across credentials (fakes, a benchmark without secrets). Default: one client per set.
   */
  client?: RegistryClient;
  clock?: Clock;
  /** how long a tag's facts hold before the tag is read again (default 5 min) */
  tagTtlMs?: number;
  /** wait after a first failure; doubles per failure in a row (default 5 s) */
  failureBackoffMs?: number;
  /** the longest wait between failed fetches (default 5 min) */
  maxFailureBackoffMs?: number;
  /** fetches running at once, over all images (default 16) */
  maxInFlight?: number;
  /** image + credentials keys kept (default 10,000) */
  maxEntries?: number;
  log?: Logger;
}

interface ImageFactsStats {
  /** keys cached (image + credentials) */
  entries: number;
  /** manifest digests whose platforms are known */
  digests: number;
  /** fetches run (one per key at a time) */
  fetches: number;
  /** fetches that failed */
  failures: number;
  /** registry requests made (manifests and config blobs; a 401 and its token round trip count as one) */
  requests: number;
  /** fetches answered from the by-digest table after the manifest request */
  digestHits: number;
  inFlight: number;
  queued: number;
  /** the most fetches seen running at once */
  maxInFlight: number;
  /** the most fetches seen running at once for one key: 1 unless single-flight is broken */
  maxInFlightPerKey: number;
  /** the most registry requests seen in flight at once for one key */
  maxRequestsPerKey: number;
  evictions: number;
}

export interface ImageFactsService extends ImageFactsSource {
  stats(): ImageFactsStats;
}

interface Failure {
  reason: ImageFactsFailure;
  message: string;
  retryAt: number;
}

interface Entry {
  key: string;
  image: string;
  registry: string;
  /** undefined: the reference does not parse (a failure for good) */
  ref?: ImageReference;
  auth?: RegistryAuth;
  fingerprint: string;
  facts?: ImageFacts;
  failure?: Failure;
  /** failures in a row */
  failures: number;
  /** the running fetch: `done` resolves when it has settled */
  flight?: { done: Promise<void>; settle: () => void };
}

// a registry that is down or slow may answer later; an answer about the image itself stands
const TRANSIENT: ReadonlySet<ImageFactsFailure> = new Set(['RegistryUnavailable', 'RegistryError']);
const MAX_CLIENTS = 256;

/** '' for anonymous; else a hash of the fields that decide what the registry lets through. */
function fingerprint(a: RegistryAuth | undefined): string {
  const fields = [a?.username, a?.password, a?.auth, a?.identityToken, a?.registryToken];
  if (fields.every((f) => !f)) return '';
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 32);
}

/** `contoso/app:1.4` for `registry.example:5000/contoso/app:1.4`: the registry is named apart in messages. */
function withoutHost(image: string, registry: string): string {
  return image.startsWith(`${registry}/`) ? image.slice(registry.length + 1) : image;
}

/** Evicts the least recently used keys of `map` beyond `max`, skipping those `busy` says to keep. */
function trim<V>(map: Map<string, V>, max: number, busy: (v: V) => boolean): number {
  let evicted = 0;
  if (map.size <= max) return 0;
  for (const [k, v] of map) {
    if (map.size <= max) break;
    if (busy(v)) continue;
    map.delete(k);
    evicted++;
  }
  return evicted;
}

export function createImageFacts(o: ImageFactsOptions = {}): ImageFactsService {
  const clock = o.clock ?? realClock;
  const log = o.log ?? nullLogger;
  const tagTtl = o.tagTtlMs ?? 5 * 60_000;
  const backoff = o.failureBackoffMs ?? 5000;
  const maxBackoff = o.maxFailureBackoffMs ?? 5 * 60_000;
  const maxInFlight = Math.max(1, o.maxInFlight ?? 16);
  const maxEntries = Math.max(1, o.maxEntries ?? 10_000);
  // a scheduler must learn of an unreachable registry in seconds, not after the pull default of 60 s
  const transport: TransportOptions = {
    timeoutMs: o.timeoutMs ?? 10_000,
    ...(o.insecureRegistries ? { insecureRegistries: o.insecureRegistries } : {}),
    ...(o.ca ? { ca: o.ca } : {}),
    ...(o.userAgent ? { userAgent: o.userAgent } : {}),
  };

  const entries = new Map<string, Entry>();
  const byDigest = new Map<string, ImagePlatformEntry[]>();
  const clients = new Map<string, RegistryClient>();
  const listeners = new Set<(image: string) => void>();
  const queue: Entry[] = [];
  let queueHead = 0;
  const runningPerKey = new Map<string, number>();
  const requestsPerKey = new Map<string, number>();
  let running = 0;
  const s = {
    fetches: 0,
    failures: 0,
    requests: 0,
    digestHits: 0,
    maxInFlight: 0,
    maxInFlightPerKey: 0,
    maxRequestsPerKey: 0,
    evictions: 0,
  };

  function clientFor(fp: string): RegistryClient {
    if (o.client) return o.client;
    let c = clients.get(fp);
    if (c) {
      clients.delete(fp);
      clients.set(fp, c);
      return c;
    }
    c = createRegistryClient({ ...transport, clock });
    clients.set(fp, c);
    trim(clients, MAX_CLIENTS, () => false);
    return c;
  }

  function entryFor(image: string, auth: RegistryAuth | undefined): Entry {
    const fp = fingerprint(auth);
    const key = `${image}\n${fp}`;
    let e = entries.get(key);
    if (e) {
      entries.delete(key);
      entries.set(key, e);
      return e;
    }
    e = { key, image, registry: imageRegistry(image), fingerprint: fp, failures: 0, ...(auth ? { auth } : {}) };
    try {
      e.ref = parseReference(image);
      e.registry = e.ref.domain;
    } catch (err) {
      const f = explainFailure(err, { registry: e.registry, image, anonymous: fp === '' });
      e.failure = { ...f, retryAt: Number.POSITIVE_INFINITY };
    }
    entries.set(key, e);
    s.evictions += trim(entries, maxEntries, (x) => x.flight !== undefined);
    return e;
  }

  const stale = (e: Entry, now: number) => e.facts !== undefined && !e.ref?.digest && now - e.facts.fetchedAt >= tagTtl;
  const backingOff = (e: Entry, now: number) => e.failure !== undefined && now < e.failure.retryAt;

  function start(e: Entry): void {
    let settle = () => {};
    const done = new Promise<void>((r) => (settle = r));
    e.flight = { done, settle };
    queue.push(e);
    pump();
  }

  function pump(): void {
    while (running < maxInFlight && queueHead < queue.length) {
      const e = queue[queueHead++] as Entry;
      if (queueHead > 1024 && queueHead * 2 > queue.length) {
        queue.splice(0, queueHead);
        queueHead = 0;
      }
      void run(e);
    }
  }

  async function request<T>(key: string, fn: () => Promise<T>): Promise<T> {
    s.requests++;
    const n = (requestsPerKey.get(key) ?? 0) + 1;
    requestsPerKey.set(key, n);
    s.maxRequestsPerKey = Math.max(s.maxRequestsPerKey, n);
    try {
      return await fn();
    } finally {
      const left = (requestsPerKey.get(key) ?? 1) - 1;
      if (left > 0) requestsPerKey.set(key, left);
      else requestsPerKey.delete(key);
    }
  }

  async function run(e: Entry): Promise<void> {
    running++;
    s.fetches++;
    s.maxInFlight = Math.max(s.maxInFlight, running);
    const perKey = (runningPerKey.get(e.key) ?? 0) + 1;
    runningPerKey.set(e.key, perKey);
    s.maxInFlightPerKey = Math.max(s.maxInFlightPerKey, perKey);
    const ref = e.ref as ImageReference;
    try {
      const read = await readImagePlatforms(ref, {
        client: clientFor(e.fingerprint),
        ...(e.auth ? { auth: e.auth } : {}),
        known: (d) => byDigest.get(d),
        request: (fn) => request(e.key, fn),
      });
      const known = byDigest.get(read.digest);
      if (known) {
        s.digestHits++;
        byDigest.delete(read.digest);
      }
      byDigest.set(read.digest, read.platforms);
      trim(byDigest, maxEntries, () => false);
      e.facts = { image: e.image, registry: e.registry, digest: read.digest, platforms: read.platforms, fetchedAt: clock.now() };
      e.failure = undefined;
      e.failures = 0;
      log.debug('image facts read', { image: e.image, digest: read.digest, platforms: read.platforms.length });
    } catch (err) {
      s.failures++;
      const f = explainFailure(err, { registry: e.registry, image: withoutHost(e.image, e.registry), anonymous: e.fingerprint === '' });
      e.failures++;
      const wait = Math.min(maxBackoff, backoff * 2 ** Math.min(e.failures - 1, 30));
      e.failure = { ...f, retryAt: clock.now() + wait };
      // old facts stay while the registry is down; "not found" or "unauthorized" replaces them
      if (e.facts && !TRANSIENT.has(f.reason)) e.facts = undefined;
      // said once per run of failures; the scheduler turns each into a condition and an event anyway
      const fields = { image: e.image, reason: f.reason, message: f.message };
      if (e.failures === 1) log.info('image facts not read', fields);
      else log.debug('image facts not read again', fields);
    } finally {
      running--;
      const left = (runningPerKey.get(e.key) ?? 1) - 1;
      if (left > 0) runningPerKey.set(e.key, left);
      else runningPerKey.delete(e.key);
      const flight = e.flight;
      e.flight = undefined;
      flight?.settle();
      for (const fn of listeners) {
        try {
          fn(e.image);
        } catch (err) {
          log.warn('image facts listener failed', { image: e.image, err });
        }
      }
      pump();
    }
  }

  const failed = (e: Entry, f: Failure): ImageFactsLookup => ({
    state: 'failed',
    registry: e.registry,
    reason: f.reason,
    message: f.message,
  });

  return {
    peek(image, auth) {
      const e = entryFor(image, auth);
      const now = clock.now();
      const due = !e.flight && !backingOff(e, now);
      if (e.facts) {
        if (due && stale(e, now)) start(e);
        return { state: 'known', facts: e.facts };
      }
      if (due) start(e);
      if (e.failure) return failed(e, e.failure);
      return { state: 'pending', registry: e.registry };
    },

    async get(image, auth) {
      const e = entryFor(image, auth);
      const now = clock.now();
      const fresh = e.facts !== undefined && !stale(e, now);
      if (!fresh && !backingOff(e, now)) {
        if (!e.flight) start(e);
        await e.flight?.done;
      }
      if (e.facts) return e.facts;
      const f = e.failure;
      if (f) throw new ImageFactsError(f.message, f.reason, e.registry);
      throw new ImageFactsError(`image facts of ${image} were dropped while being read`, 'RegistryError', e.registry);
    },

    onSettled(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    stats: () => ({
      entries: entries.size,
      digests: byDigest.size,
      ...s,
      inFlight: running,
      queued: queue.length - queueHead,
    }),
  };
}
