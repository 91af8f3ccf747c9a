// ServiceAccount tokens as one feature for the wiring: the signing key, the authenticator, the
// TokenRequest/TokenReview/SelfSubjectReview handlers and the OIDC discovery documents.

import type { KindDef } from '../../../api/kind.js';
import type { Clock } from '../../../base/clock.js';
import type { Logger } from '../../../base/log.js';
import type { Backend } from '../../../storage/backend.js';
import { decodeBody, mediaKindOf, readBody, requireObject } from '../../http/body.js';
import { addWarning, sendJson } from '../../http/respond.js';
import type { ApiContext, RequestScope } from '../../handlers/context.js';
import type { AdmissionPlugin } from '../../admission/plugin.js';
import { createServiceAccountAuthenticator, type ServiceAccountAuthenticator } from './authenticator.js';
import { createTokenIssuer, type TokenIssuer } from './issuer.js';
import { backendLookup } from './lookup.js';
import { createOidcDiscovery, type OidcDiscovery } from './oidc.js';
import { legacyTokenSecretsPlugin } from './legacy-token-secrets.js';
import { reviewSelf, reviewToken } from './reviews.js';
import { ensureSigningKey } from './signing-key.js';
import { createTokenRequest } from './token-request.js';

/** kubeadm's default --service-account-issuer */
const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ServiceAccountTokensOptions {
  dataDir: string;
  backend: Backend;
  kinds: readonly KindDef[];
  /** --service-account-issuer (default: kubeadm's) */
  issuer?: string;
  /** --api-audiences (default: the issuer) */
  audiences?: readonly string[];
  /** --service-account-max-token-expiration in seconds (default: none) */
  maxExpirationSeconds?: number;
  clock: Pick<Clock, 'now'>;
  /** how long verified tokens are remembered (default 10 s) */
  cacheTtlMs?: number;
  log?: Logger;
}

export interface ServiceAccountTokens {
  issuer: TokenIssuer;
  audiences: readonly string[];
  authenticator: ServiceAccountAuthenticator;
  /** the OIDC documents, or why the issuer allows none */
  oidc: OidcDiscovery | string;
  /** Registers the serviceaccounts/token, tokenreviews and selfsubjectreviews handlers on a server. */
  install(ctx: ApiContext): void;
  /** the admission plugin that fills legacy kubernetes.io/service-account-token Secrets (token, ca.crt, namespace) */
  legacySecretsPlugin(caPem: string): AdmissionPlugin;
}

async function bodyOf(s: RequestScope): Promise<Record<string, unknown>> {
  return requireObject(decodeBody(await readBody(s.req), mediaKindOf(s.req.headers['content-type'])));
}

export async function createServiceAccountTokens(o: ServiceAccountTokensOptions): Promise<ServiceAccountTokens> {
  const issuerName = o.issuer ?? DEFAULT_SERVICE_ACCOUNT_ISSUER;
  if (issuerName.trim() === '') throw new Error('--service-account-issuer must not be empty');
  if (issuerName.includes(':') === false) {
    // upstream accepts any string with a colon (a URL or a URN); a bare word is a typo more often than not
    throw new Error(`--service-account-issuer ${JSON.stringify(issuerName)} must be a URL (https://…) or contain a colon`);
  }
  const audiences = o.audiences && o.audiences.length > 0 ? [...o.audiences] : [issuerName];
  if (audiences.some((a) => a.trim() === '')) throw new Error('--api-audiences must not contain an empty audience');
  const key = await ensureSigningKey(o.dataDir);
  const keys = [{ kid: key.kid, publicKey: key.publicKey }];
  const lookup = backendLookup(o.backend, o.kinds);
  const issuer = createTokenIssuer(issuerName, key);
  const authenticator = createServiceAccountAuthenticator({
    issuers: [issuerName],
    audiences,
    keys,
    lookup,
    clock: o.clock,
    ...(o.cacheTtlMs !== undefined ? { cacheTtlMs: o.cacheTtlMs } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  const explain = async (token: string, auds: readonly string[]) => {
    const v = await authenticator.verify(token, auds);
    return v.ok || v.reason === 'not a service account token of this issuer' ? undefined : v.reason;
  };
  return {
    issuer,
    audiences,
    authenticator,
    oidc: createOidcDiscovery(issuerName, keys),
    legacySecretsPlugin: (caPem) => legacyTokenSecretsPlugin(issuer, lookup, caPem),
    install(ctx) {
      ctx.custom.add('', 'serviceaccounts', 'token', 'create', async (s) => {
        const deps = {
          issuer,
          lookup,
          apiAudiences: audiences,
          now: ctx.now,
          ...(o.maxExpirationSeconds ? { maxExpirationSeconds: o.maxExpirationSeconds } : {}),
        };
        const r = await createTokenRequest(deps, s.info.namespace ?? '', s.info.name ?? '', await bodyOf(s));
        for (const w of r.warnings) addWarning(s.res, w);
        sendJson(s.res, 201, r.object);
      });
      ctx.custom.add('authentication.k8s.io', 'tokenreviews', undefined, 'create', async (s) => {
        sendJson(s.res, 201, await reviewToken(await bodyOf(s), s.ctx.tokenAuthenticator ?? authenticator, audiences, explain));
      });
      ctx.custom.add('authentication.k8s.io', 'selfsubjectreviews', undefined, 'create', async (s) => {
        sendJson(s.res, 201, reviewSelf(await bodyOf(s), s.user, s.ctx.now()));
      });
    },
  };
}
