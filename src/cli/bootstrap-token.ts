// Bootstrap tokens in upstream's format (kubeadm, k8s.io/cluster-bootstrap): `<id>.<secret>`, 6 and
// 16 characters of [a-z0-9], kept as the Secret kube-system/bootstrap-token-<id> of type
// bootstrap.kubernetes.io/token. The API server's bootstrap-token authenticator reads the same
// Secret: the user system:bootstrap:<id>, groups system:bootstrappers plus auth-extra-groups.

import { randomInt } from 'node:crypto';
import {
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  bootstrapTokenExpiry,
  extraGroups,
  secretValue,
} from '../api/bootstrap/bootstrap-token.js';
import type { Secret } from '../api/gen/types.js';
import { humanDuration } from '../base/duration.js';

export const DEFAULT_GROUP = 'system:bootstrappers:kubeadm:default-node-token';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

const randomString = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

export interface BootstrapToken {
  id: string;
  secret: string;
}

export const newBootstrapToken = (): BootstrapToken => ({ id: randomString(6), secret: randomString(16) });
export const tokenString = (t: BootstrapToken) => `${t.id}.${t.secret}`;

/** `--groups`: comma-separated, each under system:bootstrappers: (upstream's rule); the default group when none. */
export function parseGroups(text: string | undefined): string[] {
  if (text === undefined) return [DEFAULT_GROUP];
  const groups = text
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
  if (groups.length === 0) throw new Error('--groups: give at least one group (or leave the flag out for the default)');
  // the authenticator's own check of auth-extra-groups, on a Secret holding only this group
  for (const g of groups) {
    if (extraGroups({ apiVersion: 'v1', kind: 'Secret', metadata: {}, data: { 'auth-extra-groups': b64(g) } }) === undefined) {
      throw new Error(
        `--groups: ${JSON.stringify(g)} must be system:bootstrappers: followed by [a-z0-9:-] ending in [a-z0-9] (extra groups of a bootstrap token)`,
      );
    }
  }
  return [...new Set(groups)];
}

export interface TokenSecretOptions {
  token: BootstrapToken;
  /** 0: never expires */
  ttlMs: number;
  now: number;
  description?: string;
  groups: string[];
}

/** RFC 3339 in UTC without fractions, as upstream writes `expiration`. */
const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function buildTokenSecret(o: TokenSecretOptions): Secret {
  const data: Record<string, string> = {
    'token-id': b64(o.token.id),
    'token-secret': b64(o.token.secret),
    'usage-bootstrap-authentication': b64('true'),
    'usage-bootstrap-signing': b64('true'),
    'auth-extra-groups': b64(o.groups.join(',')),
  };
  if (o.ttlMs > 0) data['expiration'] = b64(rfc3339(o.now + o.ttlMs));
  if (o.description) data['description'] = b64(o.description);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${o.token.id}`, namespace: BOOTSTRAP_TOKEN_NAMESPACE },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    data,
  };
}

export interface TokenRow {
  token: string;
  ttl: string;
  expires: string;
  usages: string;
  description: string;
  groups: string;
}

/** One line of `tandem token list` for a token Secret, in kubeadm's columns; undefined for a Secret that is not one. */
export function tokenRow(s: Secret, now: number): TokenRow | undefined {
  if (s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return undefined;
  const get = (k: string) => secretValue(s, k);
  const id = get('token-id');
  const secret = get('token-secret');
  if (!id || !secret) return undefined;
  const exp = get('expiration');
  const expMs = bootstrapTokenExpiry(s);
  const usages = Object.keys(s.data ?? {})
    .filter((k) => k.startsWith('usage-bootstrap-') && get(k) === 'true')
    .map((k) => k.slice('usage-bootstrap-'.length))
    .sort();
  return {
    token: `${id}.${secret}`,
    ttl: expMs === undefined ? '<forever>' : Number.isNaN(expMs) || expMs <= now ? '<invalid>' : humanDuration(expMs - now),
    expires: exp ?? '<never>',
    usages: usages.join(',') || '<none>',
    description: get('description') ?? '<none>',
    groups: get('auth-extra-groups') ?? '<none>',
  };
}

export function renderTokenTable(rows: TokenRow[]): string {
  const head: TokenRow = {
    token: 'TOKEN',
    ttl: 'TTL',
    expires: 'EXPIRES',
    usages: 'USAGES',
    description: 'DESCRIPTION',
    groups: 'EXTRA GROUPS',
  };
  const all = [head, ...rows];
  const keys = Object.keys(head) as Array<keyof TokenRow>;
  const width = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
  return all.map((r) => keys.map((k, i) => (i === keys.length - 1 ? r[k] : r[k].padEnd(width[i]! + 3))).join('')).join('\n');
}
