// The pods' imagePullSecrets as the scheduler reads them: one GET per secret, kept for a short TTL
// (30 s by default) and answered without waiting. The first read of a secret answers `pending` and
// fetches in the background; an expired entry is still answered while it is fetched again, so a
// busy workload never waits on the API server. A secret that does not exist (or cannot be read)
// counts as absent, as the kubelet treats a missing pull secret: the image is read without it.

import type { Secret } from '../../api/gen/types.js';
import { secretKind } from '../../api/kinds/core/secret.js';
import type { Logger } from '../../base/log.js';
import type { PullSecret } from '../../client/registry/pull-secrets.js';
import type { RestClient } from '../../client/rest-client.js';

type SecretLookup = { state: 'known'; secret: PullSecret | undefined } | { state: 'pending' };

export interface PullSecretCache {
  /** Never waits; `key` is `namespace/name`. */
  peek(namespace: string, name: string): SecretLookup;
  /** Called with `namespace/name` when a fetch that someone waited on (a first read) has settled. */
  onSettled(fn: (key: string) => void): void;
}

interface Entry {
  secret: PullSecret | undefined;
  /** when the value was read; undefined while the first read runs */
  at: number | undefined;
  loading: boolean;
}

/** Secret data as the registry helpers want it: decoded bytes. */
function toPullSecret(s: Secret): PullSecret {
  const data: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) data[k] = Buffer.from(v, 'base64');
  return { type: s.type ?? '', data };
}

export function createPullSecretCache(o: {
  client: RestClient | undefined;
  now: () => number;
  ttlMs?: number;
  log: Logger;
}): PullSecretCache {
  const ttl = o.ttlMs ?? 30_000;
  const entries = new Map<string, Entry>();
  const listeners: Array<(key: string) => void> = [];

  function load(key: string, namespace: string, name: string, e: Entry): void {
    e.loading = true;
    const client = o.client;
    const done = (secret: PullSecret | undefined) => {
      const first = e.at === undefined;
      e.secret = secret;
      e.at = o.now();
      e.loading = false;
      if (first) for (const l of listeners) l(key);
    };
    if (!client) {
      done(undefined);
      return;
    }
    client
      .resource(secretKind)
      .namespace(namespace)
      .getOrUndefined(name)
      .then((s) => done(s ? toPullSecret(s) : undefined))
      .catch((err: unknown) => {
        o.log.warn('pull secret not read; reading images without it', { secret: key, error: err });
        done(undefined);
      });
  }

  return {
    peek(namespace, name) {
      const key = `${namespace}/${name}`;
      let e = entries.get(key);
      if (!e) {
        e = { secret: undefined, at: undefined, loading: false };
        entries.set(key, e);
        load(key, namespace, name, e);
        // a client without a server answers at once (tests): no need to wait
        return e.at === undefined ? { state: 'pending' } : { state: 'known', secret: e.secret };
      }
      if (e.at === undefined) return { state: 'pending' };
      if (!e.loading && o.now() - e.at >= ttl) load(key, namespace, name, e);
      return { state: 'known', secret: e.secret };
    },
    onSettled(fn) {
      listeners.push(fn);
    },
  };
}
