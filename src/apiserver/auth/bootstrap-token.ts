// Bootstrap-token authentication (upstream's plugin/pkg/auth/authenticator/token/bootstrap): a
// bearer token `<id>.<secret>` names the Secret kube-system/bootstrap-token-<id>; it authenticates
// as `system:bootstrap:<id>` in system:bootstrappers plus the Secret's auth-extra-groups while the
// Secret exists, is not being deleted, is of the bootstrap type, allows authentication, has not
// expired and holds the same secret (compared in constant time). Only tokens of this exact shape
// cost a store read; others pass at once.

import { timingSafeEqual } from 'node:crypto';
import type { Secret } from '../../api/gen/types.js';
import {
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  bootstrapTokenExpiry,
  extraGroups,
  parseBootstrapToken,
  secretValue,
} from '../../api/bootstrap/bootstrap-token.js';
import type { Logger } from '../../base/log.js';
import type { BearerTokenAuthenticator } from './authenticator.js';

export interface BootstrapTokenOptions {
  /** the Secret kube-system/<name>, or undefined when there is none */
  getSecret(name: string): Promise<Secret | undefined>;
  now?: () => number;
  /** why a token of the right shape was refused (debug) */
  log?: Logger;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function createBootstrapTokenAuthenticator(o: BootstrapTokenOptions): BearerTokenAuthenticator {
  const now = o.now ?? Date.now;
  const refuse = (id: string, why: string) => {
    o.log?.debug('bootstrap token refused', { tokenId: id, why });
    return undefined;
  };
  return {
    async authenticateToken(token) {
      const t = parseBootstrapToken(token);
      if (!t) return undefined;
      const s = await o.getSecret(`${BOOTSTRAP_TOKEN_SECRET_PREFIX}${t.id}`);
      if (!s) return refuse(t.id, 'no such token');
      if (s.metadata.deletionTimestamp) return refuse(t.id, 'being deleted');
      if (s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return refuse(t.id, `Secret of type ${s.type ?? ''}`);
      const secret = secretValue(s, 'token-secret') ?? '';
      if (!same(secret, t.secret)) return refuse(t.id, 'wrong secret');
      if (secretValue(s, 'token-id') !== t.id) return refuse(t.id, 'token-id does not match the name');
      const exp = bootstrapTokenExpiry(s);
      if (exp !== undefined && !(exp > now())) return refuse(t.id, 'expired');
      if (secretValue(s, 'usage-bootstrap-authentication') !== 'true') return refuse(t.id, 'not for authentication');
      const extra = extraGroups(s);
      if (!extra) return refuse(t.id, 'invalid auth-extra-groups');
      const groups = ['system:bootstrappers', ...extra.filter((g) => g !== 'system:bootstrappers'), 'system:authenticated'];
      return { user: { name: `system:bootstrap:${t.id}`, groups } };
    },
  };
}
