// A hand-driven ImageFactsSource for scheduler tests: images are known, pending or failed as the
// test says; peeks are recorded (with their credentials), and settling is announced asynchronously
// as the real source's fetches are.

import type { ImagePlatformEntry } from '../../api/scheduling/windows-pod-isolation.js';
import type { RegistryAuth } from '../../client/registry/auth.js';
import type { ImageFacts, ImageFactsFailure, ImageFactsLookup, ImageFactsSource } from '../../client/registry/image-facts.js';
import { imageRegistry } from '../../client/registry/pull-secrets.js';

export interface FakeImageFacts extends ImageFactsSource {
  /** The image is known with these entries; listeners hear of it (on the next tick) unless `quiet`. */
  known(image: string, platforms: ImagePlatformEntry[], quiet?: boolean): void;
  /** The image fails with `reason`. */
  fail(image: string, reason: ImageFactsFailure, message: string, quiet?: boolean): void;
  /** Every peek so far: image and credentials. */
  readonly peeks: Array<{ image: string; auth: RegistryAuth | undefined }>;
  /** The credentials an image needs: peeks without them answer RegistryUnauthorized. */
  requireAuth(image: string, username: string): void;
}

/** Windows entries of the given builds (amd64 unless `arch:build`), e.g. `windowsEntries('10.0.17763.1', 'arm64:10.0.26100.1')`. */
export function windowsEntries(...builds: string[]): ImagePlatformEntry[] {
  return builds.map((b) => {
    const [arch, v] = b.includes(':') ? (b.split(':') as [string, string]) : ['amd64', b];
    return { os: 'windows', architecture: arch, osVersion: v };
  });
}

export function createFakeImageFacts(): FakeImageFacts {
  const state = new Map<string, ImageFactsLookup>();
  const auths = new Map<string, string>();
  const listeners = new Set<(image: string) => void>();
  const peeks: Array<{ image: string; auth: RegistryAuth | undefined }> = [];
  const announce = (image: string, quiet?: boolean) => {
    if (!quiet) setImmediate(() => listeners.forEach((l) => l(image)));
  };
  const facts = (image: string, platforms: ImagePlatformEntry[]): ImageFacts => ({
    image,
    registry: imageRegistry(image),
    digest: `sha256:${'0'.repeat(64)}`,
    platforms,
    fetchedAt: 0,
  });
  return {
    peeks,
    known(image, platforms, quiet) {
      state.set(image, { state: 'known', facts: facts(image, platforms) });
      announce(image, quiet);
    },
    fail(image, reason, message, quiet) {
      state.set(image, { state: 'failed', registry: imageRegistry(image), reason, message });
      announce(image, quiet);
    },
    requireAuth(image, username) {
      auths.set(image, username);
    },
    peek(image, auth) {
      peeks.push({ image, auth });
      const need = auths.get(image);
      if (need !== undefined && auth?.username !== need)
        return {
          state: 'failed',
          registry: imageRegistry(image),
          reason: 'RegistryUnauthorized',
          message: `registry ${imageRegistry(image)} answered 401 Unauthorized: it needs credentials; add an imagePullSecret for ${imageRegistry(image)}`,
        };
      return state.get(image) ?? { state: 'pending', registry: imageRegistry(image) };
    },
    async get(image, auth) {
      const r = this.peek(image, auth);
      if (r.state === 'known') return r.facts;
      throw new Error(`image ${image} is not known`);
    },
    onSettled(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
