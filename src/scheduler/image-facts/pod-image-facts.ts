// Image platform facts for one pod, answered synchronously inside a scheduling cycle: the pod's pull
// secrets (read in the background, pull-secret-cache.ts), the credentials for each image
// (authForImage) and the facts source's non-waiting peek. What is not known yet answers `pending`;
// the component remembers which pods wait on which image or secret and tells the scheduler when
// that settles, so the pod goes straight back to the active queue instead of waiting out a
// back-off or the periodic flush.

import type { Pod } from '../../api/gen/types.js';
import type { ImagePlatforms } from '../../api/scheduling/windows-pod-isolation.js';
import type { Logger } from '../../base/log.js';
import type { ImageFactsFailure, ImageFactsSource } from '../../client/registry/image-facts.js';
import { authForImage, type PullSecret } from '../../client/registry/pull-secrets.js';
import type { RestClient } from '../../client/rest-client.js';
import { createPullSecretCache } from './pull-secret-cache.js';

export type PodImagesLookup =
  | { state: 'known'; images: readonly ImagePlatforms[] }
  | { state: 'pending'; message: string }
  | {
      state: 'failed';
      image: string;
      registry: string;
      reason: ImageFactsFailure;
      message: string;
      /** whether the pod's pull secrets had credentials for the registry */
      withCredentials: boolean;
    };

export interface PodImageFacts {
  /** Never waits. `images`: the references to judge (the pod's init and regular containers'). */
  lookup(pod: Pod, images: readonly string[]): PodImagesLookup;
  /** The pod is gone or bound: stop tracking what it waited on. */
  forget(podKey: string): void;
  /** Called with the keys of pods whose wait has settled (facts known or failed, secret read). */
  onSettled(fn: (podKeys: string[]) => void): void;
  stop(): void;
}

export interface PodImageFactsOptions {
  source: ImageFactsSource;
  /** reads the pull secrets; without one, images are read without credentials */
  client?: RestClient;
  now: () => number;
  log: Logger;
  secretTtlMs?: number;
}

const podKeyOf = (p: Pod) => `${p.metadata.namespace ?? 'default'}/${p.metadata.name ?? ''}`;

export function createPodImageFacts(o: PodImageFactsOptions): PodImageFacts {
  const secrets = createPullSecretCache({ client: o.client, now: o.now, log: o.log, ...(o.secretTtlMs ? { ttlMs: o.secretTtlMs } : {}) });
  /** topic (`image:<ref>` or `secret:<ns>/<name>`) -> keys of the pods waiting on it */
  const waiting = new Map<string, Set<string>>();
  /** pod key -> the topics it waits on */
  const topicsOf = new Map<string, string[]>();
  const listeners: Array<(keys: string[]) => void> = [];

  function unregister(podKey: string): void {
    const topics = topicsOf.get(podKey);
    if (!topics) return;
    topicsOf.delete(podKey);
    for (const t of topics) {
      const set = waiting.get(t);
      set?.delete(podKey);
      if (set?.size === 0) waiting.delete(t);
    }
  }

  function register(podKey: string, topics: string[]): void {
    unregister(podKey);
    if (topics.length === 0) return;
    topicsOf.set(podKey, topics);
    for (const t of topics) {
      let set = waiting.get(t);
      if (!set) waiting.set(t, (set = new Set()));
      set.add(podKey);
    }
  }

  function settled(topic: string): void {
    const set = waiting.get(topic);
    if (!set || set.size === 0) return;
    waiting.delete(topic);
    const keys = [...set];
    for (const k of keys) unregister(k);
    for (const l of listeners) l(keys);
  }

  secrets.onSettled((key) => settled(`secret:${key}`));
  const unsubscribe = o.source.onSettled((image) => settled(`image:${image}`));

  return {
    lookup(pod, images) {
      const key = podKeyOf(pod);
      const ns = pod.metadata.namespace ?? 'default';
      const pullSecrets: PullSecret[] = [];
      const topics: string[] = [];
      let secretWait: string | undefined;
      for (const ref of pod.spec?.imagePullSecrets ?? []) {
        if (!ref.name) continue;
        const s = secrets.peek(ns, ref.name);
        if (s.state === 'pending') {
          topics.push(`secret:${ns}/${ref.name}`);
          secretWait ??= ref.name;
        } else if (s.secret) pullSecrets.push(s.secret);
      }
      if (secretWait !== undefined) {
        register(key, topics);
        return { state: 'pending', message: `waiting to read the pull secret ${ns}/${secretWait}` };
      }
      const known: ImagePlatforms[] = [];
      let pendingMsg: string | undefined;
      let failed: PodImagesLookup | undefined;
      for (const image of images) {
        const auth = pullSecrets.length ? authForImage(image, pullSecrets) : undefined;
        const r = o.source.peek(image, auth);
        if (r.state === 'known') {
          known.push(r.facts);
          continue;
        }
        topics.push(`image:${image}`);
        if (r.state === 'pending') pendingMsg ??= `waiting for the platforms of image ${image} from registry ${r.registry}`;
        else
          failed ??= {
            state: 'failed',
            image,
            registry: r.registry,
            reason: r.reason,
            message: r.message,
            withCredentials: auth !== undefined,
          };
      }
      register(key, topics);
      // a failure is an answer: the pod cannot run whatever the other images say
      if (failed) return failed;
      if (pendingMsg !== undefined) return { state: 'pending', message: pendingMsg };
      return { state: 'known', images: known };
    },
    forget: unregister,
    onSettled(fn) {
      listeners.push(fn);
    },
    stop() {
      unsubscribe();
      listeners.length = 0;
    },
  };
}
