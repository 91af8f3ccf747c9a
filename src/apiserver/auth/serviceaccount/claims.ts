// The claims of ServiceAccount tokens as upstream writes and reads them: the registered claims
// (iss, sub, aud, exp, iat, nbf, jti), the private `kubernetes.io` claim of bound tokens, and the
// flat `kubernetes.io/serviceaccount/...` claims of the legacy Secret-based tokens.

import { randomUUID } from 'node:crypto';
import type { JsonRecord } from './jwt.js';
import { serviceAccountUserName } from '../user.js';

/** Clock skew tolerated on exp, nbf and iat, and on deletion timestamps (upstream's jwt.DefaultLeeway). */
export const LEEWAY_SECONDS = 60;
/** The issuer of legacy Secret-based tokens. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export interface ObjectRef {
  name: string;
  uid: string;
}

/** What a bound token says about whom it is for and what it is bound to. */
export interface BoundClaims {
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  /** for a pod-bound token: the pod's node, the uid when the Node existed; for a node-bound token: the node */
  node?: { name: string; uid?: string };
  /** unix seconds after which a use is reported as stale (projected tokens with extended expiry) */
  warnAfter?: number;
}

const refJson = (r: { name: string; uid?: string }) => (r.uid ? { name: r.name, uid: r.uid } : { name: r.name });

/** The payload of a bound token issued at `nowSeconds` for `expirationSeconds`. */
export function boundTokenPayload(
  o: BoundClaims & { issuer: string; audiences: readonly string[]; expirationSeconds: number; nowSeconds: number },
): JsonRecord {
  const k8s: JsonRecord = { namespace: o.namespace };
  if (o.node) k8s['node'] = refJson(o.node);
  if (o.pod) k8s['pod'] = refJson(o.pod);
  if (o.secret) k8s['secret'] = refJson(o.secret);
  k8s['serviceaccount'] = refJson(o.serviceAccount);
  if (o.warnAfter !== undefined) k8s['warnafter'] = o.warnAfter;
  return {
    aud: [...o.audiences],
    exp: o.nowSeconds + o.expirationSeconds,
    iat: o.nowSeconds,
    iss: o.issuer,
    jti: randomUUID(),
    'kubernetes.io': k8s,
    nbf: o.nowSeconds,
    sub: serviceAccountUserName(o.namespace, o.serviceAccount.name),
  };
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** `aud` as a list: RFC 7519 allows a single string or an array of strings. */
export function audiencesOf(payload: JsonRecord): string[] | undefined {
  const aud = payload['aud'];
  if (aud === undefined) return [];
  if (isStr(aud)) return [aud];
  if (Array.isArray(aud) && aud.every(isStr)) return aud;
  return undefined;
}

/** exp, nbf and iat against `nowSeconds`, with upstream's leeway and messages. */
export function checkTimes(payload: JsonRecord, nowSeconds: number, requireExp: boolean): string | undefined {
  const { exp, nbf, iat } = payload;
  if (exp === undefined) {
    if (requireExp) return 'service account token has no expiry';
  } else if (!isNum(exp)) return 'service account token exp is not a number';
  else if (nowSeconds - LEEWAY_SECONDS > exp) return 'service account token has expired';
  if (nbf !== undefined && (!isNum(nbf) || nowSeconds + LEEWAY_SECONDS < nbf)) return 'service account token is not valid yet';
  if (iat !== undefined && (!isNum(iat) || nowSeconds + LEEWAY_SECONDS < iat)) return 'service account token was issued in the future';
  return undefined;
}

function parseRef(v: unknown, what: string, needUid: boolean): Parsed<ObjectRef | { name: string; uid?: string } | undefined> {
  if (v === undefined) return { ok: true, value: undefined };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, reason: `kubernetes.io ${what} claim is not an object` };
  const { name, uid } = v as JsonRecord;
  if (!isStr(name) || name === '') return { ok: false, reason: `kubernetes.io ${what} claim has no name` };
  if (uid !== undefined && !isStr(uid)) return { ok: false, reason: `kubernetes.io ${what} claim uid is not a string` };
  if (needUid && !uid) return { ok: false, reason: `kubernetes.io ${what} claim has no uid` };
  return { ok: true, value: uid ? { name, uid } : { name } };
}

/** The private claim of a bound token, checked for shape. */
export function parseBoundClaims(payload: JsonRecord): Parsed<BoundClaims> {
  const k = payload['kubernetes.io'];
  if (k === null || typeof k !== 'object' || Array.isArray(k)) return { ok: false, reason: 'token has no kubernetes.io claim' };
  const rec = k as JsonRecord;
  const namespace = rec['namespace'];
  if (!isStr(namespace) || namespace === '') return { ok: false, reason: 'kubernetes.io claim has no namespace' };
  const out: BoundClaims = { namespace, serviceAccount: { name: '', uid: '' } };
  const sa = parseRef(rec['serviceaccount'], 'serviceaccount', true);
  if (!sa.ok) return sa;
  if (!sa.value) return { ok: false, reason: 'kubernetes.io claim has no serviceaccount' };
  out.serviceAccount = sa.value as ObjectRef;
  for (const what of ['pod', 'secret'] as const) {
    const r = parseRef(rec[what], what, true);
    if (!r.ok) return r;
    if (r.value) out[what] = r.value as ObjectRef;
  }
  const node = parseRef(rec['node'], 'node', false);
  if (!node.ok) return node;
  if (node.value) out.node = node.value;
  const warn = rec['warnafter'];
  if (warn !== undefined) {
    if (!isNum(warn)) return { ok: false, reason: 'kubernetes.io warnafter claim is not a number' };
    out.warnAfter = warn;
  }
  return { ok: true, value: out };
}

const LEGACY = 'kubernetes.io/serviceaccount/';

/** The claims of a legacy Secret-based token. */
export function legacyTokenPayload(o: { namespace: string; secretName: string; serviceAccount: ObjectRef }): JsonRecord {
  return {
    iss: LEGACY_ISSUER,
    [`${LEGACY}namespace`]: o.namespace,
    [`${LEGACY}secret.name`]: o.secretName,
    [`${LEGACY}service-account.name`]: o.serviceAccount.name,
    [`${LEGACY}service-account.uid`]: o.serviceAccount.uid,
    sub: serviceAccountUserName(o.namespace, o.serviceAccount.name),
  };
}

export function parseLegacyClaims(payload: JsonRecord): Parsed<{ namespace: string; secretName: string; serviceAccount: ObjectRef }> {
  const [namespace, secretName, name, uid] = ['namespace', 'secret.name', 'service-account.name', 'service-account.uid'].map(
    (k) => payload[`${LEGACY}${k}`],
  );
  if (!isStr(namespace) || !isStr(secretName) || !isStr(name) || !isStr(uid) || !namespace || !secretName || !name || !uid) {
    return { ok: false, reason: 'legacy service account token is missing its kubernetes.io/serviceaccount claims' };
  }
  return { ok: true, value: { namespace, secretName, serviceAccount: { name, uid } } };
}

export const stringClaim = (payload: JsonRecord, claim: 'iss' | 'sub' | 'jti'): string | undefined => {
  const v = payload[claim];
  return isStr(v) ? v : undefined;
};
