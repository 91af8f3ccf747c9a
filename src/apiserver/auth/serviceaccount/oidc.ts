// OpenID Connect discovery for the ServiceAccount issuer: /.well-known/openid-configuration and the
// JWKS at /openid/v1/jwks, with upstream's field set, so relying parties outside the cluster (cloud
// workload identity, Vault) can verify our tokens without asking the API server about each one.

import type { VerificationKey } from './jwt.js';

export const OPENID_CONFIG_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';
/** upstream serves both documents with these */
export const OIDC_CACHE_CONTROL = 'public, max-age=3600';
export const JWKS_CONTENT_TYPE = 'application/jwk-set+json';

export interface OidcDiscovery {
  /** the discovery document; `externalAddress` (host:port) makes jwks_uri when none was configured */
  configJson(externalAddress: string): string;
  readonly jwksJson: string;
}

/**
 * The discovery documents, or the reason there are none: as upstream, the issuer must be an https
 * URL without query or fragment for OIDC to make sense (tokens still work with any issuer).
 */
export function createOidcDiscovery(issuer: string, keys: readonly VerificationKey[], jwksUri?: string): OidcDiscovery | string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return `issuer ${JSON.stringify(issuer)} is not a URL`;
  }
  if (url.protocol !== 'https:') return `issuer URL must use https scheme, got: ${issuer}`;
  if (url.search !== '') return `issuer URL may not include a query, got: ${issuer}`;
  if (url.hash !== '') return `issuer URL may not include a fragment, got: ${issuer}`;
  const jwks = {
    keys: keys.map((k) => {
      const jwk = k.publicKey.export({ format: 'jwk' });
      return { use: 'sig', kty: 'RSA', kid: k.kid, alg: 'RS256', n: jwk.n, e: jwk.e };
    }),
  };
  const jwksJson = JSON.stringify(jwks);
  return {
    jwksJson,
    configJson: (externalAddress) =>
      JSON.stringify({
        issuer,
        jwks_uri: jwksUri ?? `https://${externalAddress}${JWKS_PATH}`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      }),
  };
}
