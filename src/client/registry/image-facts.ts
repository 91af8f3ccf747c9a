// Image platform facts: what an image reference offers (the os, architecture and os.version of
// each entry of its index, or of its one manifest), read from the registry with the pod's pull
// credentials and cached: by digest for good, by tag until a TTL passes. The scheduler asks
// without ever waiting (peek); the upgrade planner, the agent and the benchmark wait (get).
import type { ImagePlatformEntry } from '../../api/scheduling/windows-pod-isolation.js';
import type { RegistryAuth } from './auth.js';

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

/** Why the facts could not be read; each is a condition reason too. */
export type ImageFactsFailure =
  | 'InvalidImageName'
  | 'RegistryUnavailable'
  | 'ImageNotFound'
  | 'RegistryUnauthorized'
  | 'RegistryError'
  | 'InvalidManifest';

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
