// An in-memory ImageFactsSource for agent unit tests: each image reference answers the index
// entries it was given, or fails with the given ImageFactsError; every get is recorded with its
// credentials so tests can see what the agent asked for and how.

import type { ImagePlatformEntry } from '../../api/scheduling/windows-pod-isolation.js';
import type { RegistryAuth } from '../../client/registry/auth.js';
import { ImageFactsError, type ImageFacts, type ImageFactsSource } from '../../client/registry/image-facts.js';
import { imageRegistry } from '../../client/registry/pull-secrets.js';

export interface FakeImageFacts extends ImageFactsSource {
  /** every get, in order */
  gets: Array<{ image: string; auth?: RegistryAuth }>;
}

export function createFakeImageFacts(
  images: Record<string, { digest: string; platforms: ImagePlatformEntry[] } | ImageFactsError>,
): FakeImageFacts {
  const answer = (image: string): ImageFacts | ImageFactsError => {
    const a = images[image];
    const registry = imageRegistry(image);
    if (a === undefined) return new ImageFactsError(`${image}: manifest unknown`, 'ImageNotFound', registry);
    if (a instanceof ImageFactsError) return a;
    return { image, registry, digest: a.digest, platforms: a.platforms.map((p) => ({ ...p })), fetchedAt: 0 };
  };
  const f: FakeImageFacts = {
    gets: [],
    peek(image) {
      const a = answer(image);
      return a instanceof ImageFactsError
        ? { state: 'failed', registry: a.registry, reason: a.reason, message: a.message }
        : { state: 'known', facts: a };
    },
    async get(image, auth) {
      f.gets.push({ image, ...(auth ? { auth } : {}) });
      const a = answer(image);
      if (a instanceof ImageFactsError) throw a;
      return a;
    },
    onSettled: () => () => undefined,
  };
  return f;
}
