// Issues ServiceAccount tokens signed with the cluster's key: bound tokens for TokenRequest and
// legacy tokens for kubernetes.io/service-account-token Secrets.

import { boundTokenPayload, legacyTokenPayload, type BoundClaims, type ObjectRef } from './claims.js';
import { signJws } from './jwt.js';
import type { SigningKey } from './signing-key.js';

export interface TokenIssuer {
  /** the `iss` of bound tokens (--service-account-issuer) */
  readonly issuer: string;
  /** A bound token valid from `nowMs` for `expirationSeconds`; returns it and its expiry (unix seconds). */
  issue(c: BoundClaims & { audiences: readonly string[]; expirationSeconds: number }, nowMs: number): { token: string; exp: number };
  /** A legacy token for a Secret of type kubernetes.io/service-account-token. */
  issueLegacy(c: { namespace: string; secretName: string; serviceAccount: ObjectRef }): string;
}

export function createTokenIssuer(issuer: string, key: SigningKey): TokenIssuer {
  return {
    issuer,
    issue(c, nowMs) {
      const payload = boundTokenPayload({ ...c, issuer, nowSeconds: Math.floor(nowMs / 1000) });
      return { token: signJws(payload, key), exp: payload['exp'] as number };
    },
    issueLegacy: (c) => signJws(legacyTokenPayload(c), key),
  };
}
