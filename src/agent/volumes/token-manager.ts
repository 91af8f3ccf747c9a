// Bound ServiceAccount tokens for projected volumes, as the kubelet's token manager keeps them: one
// TokenRequest per (pod, account, audience, lifetime), bound to the pod (name and uid) so that the
// token dies with it; cached and asked for again once 80% of its life has passed, or 24 hours after
// it was issued, whichever comes first (a few seconds of jitter spread the refreshes of many pods).
// Pod syncs (every resync period) call token(); the atomic writer swaps the file only when it changed.

import type { Pod, ServiceAccountTokenProjection, TokenRequest } from '../../api/gen/types.js';
import { serviceAccountKind } from '../../api/kinds/core/service-account.js';
import type { Clock } from '../../base/clock.js';
import type { RestClient } from '../../client/rest-client.js';

/** the projection's lifetime when it names none (the API's default) */
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MAX_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_JITTER_MS = 10_000;

interface IssuedToken {
  token: string;
  /** when it expires, ms since the epoch */
  expiresAt: number;
  /** the lifetime the server granted, in seconds */
  expirationSeconds: number;
}

/** POST .../serviceaccounts/NAME/token: the TokenRequest subresource. */
export type TokenRequester = (namespace: string, serviceAccount: string, request: TokenRequest) => Promise<IssuedToken>;

export interface ServiceAccountTokens {
  /** The token for one serviceAccountToken source of the pod: cached, or requested when due. */
  token(pod: Pod, source: ServiceAccountTokenProjection): Promise<string>;
  /** Drops the pod's tokens (the pod is gone). */
  forget(podUid: string): void;
}

interface Cached extends IssuedToken {
  podUid: string;
}

export function createTokenManager(o: { request: TokenRequester; clock: Clock; random?: () => number }): ServiceAccountTokens {
  const cache = new Map<string, Cached>();
  const random = o.random ?? Math.random;

  const due = (t: Cached): boolean => {
    const now = o.clock.now();
    const jitter = random() * MAX_JITTER_MS;
    const issuedAt = t.expiresAt - t.expirationSeconds * 1000;
    if (now > issuedAt + MAX_TTL_MS - jitter) return true;
    return now > t.expiresAt - t.expirationSeconds * 200 - jitter;
  };

  return {
    async token(pod, source) {
      const ns = pod.metadata.namespace ?? 'default';
      const account = pod.spec?.serviceAccountName || 'default';
      const uid = pod.metadata.uid ?? '';
      const expirationSeconds = source.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
      const audiences = source.audience ? [source.audience] : [];
      const key = JSON.stringify([uid, ns, account, audiences, expirationSeconds]);
      const hit = cache.get(key);
      if (hit && !due(hit)) return hit.token;
      const issued = await o.request(ns, account, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        metadata: {},
        spec: {
          // empty: the API server's own audiences
          audiences,
          expirationSeconds,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name ?? '', uid },
        },
      });
      cache.set(key, { ...issued, podUid: uid });
      return issued.token;
    },
    forget(podUid) {
      for (const [k, v] of cache) if (v.podUid === podUid) cache.delete(k);
    },
  };
}

/** The requester over the API: the TokenRequest subresource of the ServiceAccount. */
export function apiTokenRequester(client: RestClient): TokenRequester {
  return async (namespace, serviceAccount, request) => {
    const answer = (await client.resource(serviceAccountKind).namespace(namespace).createSubresource(serviceAccount, 'token', request)) as
      Partial<TokenRequest> | undefined;
    const token = answer?.status?.token;
    const expires = answer?.status?.expirationTimestamp;
    if (!token || !expires) throw new Error(`the token request for ${namespace}/${serviceAccount} was answered without a token`);
    const expiresAt = Date.parse(expires);
    if (Number.isNaN(expiresAt))
      throw new Error(`the token request for ${namespace}/${serviceAccount} has an unreadable expirationTimestamp ${expires}`);
    return {
      token,
      expiresAt,
      expirationSeconds: answer.spec?.expirationSeconds ?? request.spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS,
    };
  };
}
