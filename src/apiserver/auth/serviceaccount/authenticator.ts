// The ServiceAccount token authenticator: bound tokens (TokenRequest, projected volumes) and legacy
// Secret-based tokens, checked as upstream does: the signature with our key, the issuer, audiences
// that meet the accepted ones, exp/nbf with a minute of leeway, and then the objects the token names
// (the ServiceAccount, a bound Pod, Secret or Node) still existing with the same uid and not deleted
// more than the leeway ago. Successes are remembered for a few seconds (upstream's token cache
// keeps them ten) so a client's stream of requests pays one verification, not one per request.

import type { AnyObject } from '../../../api/object.js';
import type { Clock } from '../../../base/clock.js';
import type { Logger } from '../../../base/log.js';
import type { BearerTokenAuthenticator } from '../authenticator.js';
import { serviceAccountGroups, serviceAccountUserName, type UserInfo } from '../user.js';
import {
  audiencesOf,
  checkTimes,
  LEEWAY_SECONDS,
  LEGACY_ISSUER,
  parseBoundClaims,
  parseLegacyClaims,
  stringClaim,
  type BoundClaims,
} from './claims.js';
import { peekPayload, verifyJws, type JsonRecord, type VerificationKey } from './jwt.js';
import type { BindableKind, ObjectLookup } from './lookup.js';

const GROUP_AUTHENTICATED = 'system:authenticated';
const EXTRA = 'authentication.kubernetes.io/';

export interface ServiceAccountAuthenticatorOptions {
  /** issuers whose tokens are accepted (the first is the one tokens are issued with) */
  issuers: readonly string[];
  /** the API server's audiences: what a token must be for when the caller names none */
  audiences: readonly string[];
  keys: readonly VerificationKey[];
  lookup: ObjectLookup;
  clock: Pick<Clock, 'now'>;
  /** also accept legacy tokens stored in kubernetes.io/service-account-token Secrets (default true) */
  legacy?: boolean;
  /** how long a verified token is remembered (default 10 s; 0: never) */
  cacheTtlMs?: number;
  log?: Logger;
}

export type Verdict =
  { ok: true; user: UserInfo; audiences: string[]; /** ms; absent for legacy tokens */ expiresAt?: number } | { ok: false; reason: string };

export interface ServiceAccountAuthenticator extends BearerTokenAuthenticator {
  /** the verdict with the reason of a refusal (TokenReview's status.error, tests) */
  verify(token: string, audiences?: readonly string[]): Promise<Verdict>;
}

const CACHE_MAX = 4096;
const intersect = (a: readonly string[], b: readonly string[]) => a.filter((x, i) => b.includes(x) && a.indexOf(x) === i);
const deletedBefore = (o: AnyObject, limitMs: number) => {
  const ts = o.metadata.deletionTimestamp;
  return typeof ts === 'string' && Date.parse(ts) < limitMs;
};

export function createServiceAccountAuthenticator(o: ServiceAccountAuthenticatorOptions): ServiceAccountAuthenticator {
  const issuers = new Set(o.issuers);
  const legacy = o.legacy ?? true;
  if (legacy) issuers.add(LEGACY_ISSUER);
  const ttl = o.cacheTtlMs ?? 10_000;
  const cache = new Map<string, { until: number; verdict: Verdict & { ok: true } }>();

  /** the live object named by a claim, or the reason the token no longer stands */
  async function live(kind: BindableKind, ns: string, ref: { name: string; uid?: string }, limitMs: number): Promise<string | undefined> {
    const obj = await o.lookup.get(kind, ns, ref.name);
    if (!obj || deletedBefore(obj, limitMs)) return 'service account token has been invalidated';
    if (ref.uid !== undefined && obj.metadata.uid !== ref.uid) {
      return `${kind.toLowerCase()} UID (${obj.metadata.uid ?? ''}) does not match service account ${kind.toLowerCase()} ref claim (${ref.uid})`;
    }
    return undefined;
  }

  async function checkServiceAccount(ns: string, ref: { name: string; uid: string }, limitMs: number): Promise<string | undefined> {
    const sa = await o.lookup.get('ServiceAccount', ns, ref.name);
    if (!sa) return `serviceaccounts "${ref.name}" not found`;
    if (deletedBefore(sa, limitMs)) return `service account ${ns}/${ref.name} has been deleted`;
    if (sa.metadata.uid !== ref.uid) return `service account UID (${sa.metadata.uid ?? ''}) does not match claim (${ref.uid})`;
    return undefined;
  }

  async function validateBound(payload: JsonRecord, nowMs: number): Promise<{ ok: true; user: UserInfo } | { ok: false; reason: string }> {
    const times = checkTimes(payload, Math.floor(nowMs / 1000), true);
    if (times) return { ok: false, reason: times };
    const parsed = parseBoundClaims(payload);
    if (!parsed.ok) return parsed;
    const c: BoundClaims = parsed.value;
    const limit = nowMs - LEEWAY_SECONDS * 1000;
    const saErr = await checkServiceAccount(c.namespace, c.serviceAccount, limit);
    if (saErr) return { ok: false, reason: saErr };
    if (c.secret) {
      const e = await live('Secret', c.namespace, c.secret, limit);
      if (e) return { ok: false, reason: e };
    }
    if (c.pod) {
      const e = await live('Pod', c.namespace, c.pod, limit);
      if (e) return { ok: false, reason: e };
    } else if (c.node) {
      // a node-bound token lives as long as its Node; a pod-bound one only reports the pod's node
      if (c.node.uid === undefined) return { ok: false, reason: 'kubernetes.io node claim has no uid' };
      const e = await live('Node', '', c.node, limit);
      if (e) return { ok: false, reason: e };
    }
    const extra: Record<string, string[]> = {};
    if (c.pod) {
      extra[`${EXTRA}pod-name`] = [c.pod.name];
      extra[`${EXTRA}pod-uid`] = [c.pod.uid];
    }
    if (c.node) {
      extra[`${EXTRA}node-name`] = [c.node.name];
      if (c.node.uid) extra[`${EXTRA}node-uid`] = [c.node.uid];
    }
    const jti = stringClaim(payload, 'jti');
    if (jti) extra[`${EXTRA}credential-id`] = [`JTI=${jti}`];
    return { ok: true, user: saUser(c.namespace, c.serviceAccount, extra) };
  }

  async function validateLegacy(
    token: string,
    payload: JsonRecord,
    nowMs: number,
  ): Promise<{ ok: true; user: UserInfo } | { ok: false; reason: string }> {
    const times = checkTimes(payload, Math.floor(nowMs / 1000), false);
    if (times) return { ok: false, reason: times };
    const parsed = parseLegacyClaims(payload);
    if (!parsed.ok) return parsed;
    const { namespace, secretName, serviceAccount } = parsed.value;
    const limit = nowMs - LEEWAY_SECONDS * 1000;
    const secret = await o.lookup.get('Secret', namespace, secretName);
    if (!secret || deletedBefore(secret, limit)) return { ok: false, reason: 'service account token has been invalidated' };
    const stored = (secret['data'] as Record<string, unknown> | undefined)?.['token'];
    if (typeof stored !== 'string' || Buffer.from(stored, 'base64').toString('utf8') !== token) {
      return { ok: false, reason: 'token does not match the token stored in its Secret' };
    }
    const saErr = await checkServiceAccount(namespace, serviceAccount, limit);
    if (saErr) return { ok: false, reason: saErr };
    return { ok: true, user: saUser(namespace, serviceAccount, undefined) };
  }

  async function verifyUncached(token: string, wanted: readonly string[], nowMs: number): Promise<Verdict> {
    // Tokens of other issuers (or not JWTs at all) are another authenticator's business: refuse cheaply.
    const peek = peekPayload(token);
    const iss = peek && stringClaim(peek, 'iss');
    if (!iss || !issuers.has(iss)) return { ok: false, reason: 'not a service account token of this issuer' };
    const jws = verifyJws(token, o.keys);
    if (!jws.ok) return jws;
    const payload = jws.payload;
    if (!issuers.has(stringClaim(payload, 'iss') ?? ''))
      return { ok: false, reason: `token issuer ${JSON.stringify(payload['iss'])} is invalid` };
    const isLegacy = payload['iss'] === LEGACY_ISSUER;
    let tokenAuds = audiencesOf(payload);
    if (tokenAuds === undefined) return { ok: false, reason: 'token aud is neither a string nor a list of strings' };
    // legacy tokens carry no audience: they are for the API server only
    if (tokenAuds.length === 0) tokenAuds = [...o.audiences];
    const auds = intersect(tokenAuds, wanted);
    if (auds.length === 0) {
      return {
        ok: false,
        reason: `token audiences ${JSON.stringify(tokenAuds)} is invalid for the target audiences ${JSON.stringify(wanted)}`,
      };
    }
    const r = isLegacy ? await validateLegacy(token, payload, nowMs) : await validateBound(payload, nowMs);
    if (!r.ok) return r;
    const exp = payload['exp'];
    return { ok: true, user: r.user, audiences: auds, ...(typeof exp === 'number' ? { expiresAt: (exp + LEEWAY_SECONDS) * 1000 } : {}) };
  }

  async function verify(token: string, audiences?: readonly string[]): Promise<Verdict> {
    const wanted = audiences && audiences.length > 0 ? audiences : o.audiences;
    const key = audiences ? `${token}\u0000${audiences.join('\u0000')}` : token;
    const now = o.clock.now();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.verdict;
    let v: Verdict;
    try {
      v = await verifyUncached(token, wanted, now);
    } catch (e) {
      // a store that cannot answer is no reason to let anyone in, nor to crash the request
      v = { ok: false, reason: `service account token could not be verified: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (v.ok && ttl > 0) {
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(key, { until: Math.min(now + ttl, v.expiresAt ?? Infinity), verdict: v });
    } else if (!v.ok && v.reason !== 'not a service account token of this issuer') {
      o.log?.debug('service account token refused', { reason: v.reason });
    }
    return v;
  }

  return {
    verify,
    async authenticateToken(token, audiences) {
      const v = await verify(token, audiences);
      return v.ok ? { user: v.user, audiences: v.audiences } : undefined;
    },
  };
}

function saUser(namespace: string, sa: { name: string; uid: string }, extra: Record<string, string[]> | undefined): UserInfo {
  const user: UserInfo = {
    name: serviceAccountUserName(namespace, sa.name),
    uid: sa.uid,
    groups: [...serviceAccountGroups(namespace), GROUP_AUTHENTICATED],
  };
  if (extra && Object.keys(extra).length > 0) user.extra = extra;
  return user;
}
