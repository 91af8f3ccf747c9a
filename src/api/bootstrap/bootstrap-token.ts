// Bootstrap tokens as upstream stores them: Secrets `kube-system/bootstrap-token-<id>` of type
// bootstrap.kubernetes.io/token whose data hold token-id, token-secret, an optional RFC 3339
// expiration, the usages and auth-extra-groups. Shared by the API server's authenticator and the
// token cleaner (and `tandem token create`).

import type { Secret } from '../gen/types.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

/** `[a-z0-9]{6}.[a-z0-9]{16}` split into id and secret, or undefined. */
export function parseBootstrapToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** A data value of the Secret as text (data is base64; stringData is folded into data on write). */
export function secretValue(s: Secret, key: string): string | undefined {
  const v = s.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/** The expiry of a bootstrap-token Secret in ms, undefined when it has none; NaN when unreadable (treated as expired). */
export function bootstrapTokenExpiry(s: Secret): number | undefined {
  const e = secretValue(s, 'expiration');
  if (e === undefined || e === '') return undefined;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(e) ? Date.parse(e) : NaN;
}

export const isBootstrapTokenSecret = (s: Secret) =>
  s.type === BOOTSTRAP_TOKEN_SECRET_TYPE && s.metadata.namespace === BOOTSTRAP_TOKEN_NAMESPACE;

/** auth-extra-groups: comma-separated, each `system:bootstrappers:...`; undefined when one is not. */
export function extraGroups(s: Secret): string[] | undefined {
  const raw = secretValue(s, 'auth-extra-groups');
  if (raw === undefined || raw.trim() === '') return [];
  const groups = raw.split(',').map((g) => g.trim());
  return groups.every((g) => EXTRA_GROUP_RE.test(g)) ? groups : undefined;
}
