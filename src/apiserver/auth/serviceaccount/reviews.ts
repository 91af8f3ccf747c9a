// authentication.k8s.io/v1 reviews, answered as upstream does. TokenReview asks every token
// authenticator of the server about a token that arrived in a body (a node agent or a webhook
// checking its callers); SelfSubjectReview (`kubectl auth whoami`) returns the caller as the server
// sees it. Neither is stored.

import { badRequest, internal } from '../../../base/errors.js';
import { rfc3339Now } from '../../registry/prepare.js';
import type { BearerTokenAuthenticator } from '../authenticator.js';
import type { UserInfo } from '../user.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const API_VERSION = 'authentication.k8s.io/v1';

/** upstream's authentication.k8s.io UserInfo: empty fields are left out */
function userInfoJson(u: UserInfo): Rec {
  const out: Rec = { username: u.name };
  if (u.uid) out['uid'] = u.uid;
  if (u.groups.length > 0) out['groups'] = [...u.groups];
  if (u.extra && Object.keys(u.extra).length > 0) out['extra'] = Object.fromEntries(Object.entries(u.extra).map(([k, v]) => [k, [...v]]));
  return out;
}

function readSpec(body: Rec, kind: string): Rec {
  if (body['kind'] !== undefined && body['kind'] !== kind) throw badRequest(`expected a ${kind}, got ${JSON.stringify(body['kind'])}`);
  const spec = body['spec'];
  if (spec === undefined || spec === null) return {};
  if (!isRec(spec)) throw badRequest(`${kind}.spec must be an object`);
  return spec;
}

/**
 * The TokenReview answer for `body`; `apiAudiences` are used when the review names none. `explain`
 * gives the reason a refused token was refused, when an authenticator knows one.
 */
export async function reviewToken(
  body: Rec,
  tokens: BearerTokenAuthenticator | undefined,
  apiAudiences: readonly string[],
  explain?: (token: string, audiences: readonly string[]) => Promise<string | undefined>,
): Promise<Rec> {
  const spec = readSpec(body, 'TokenReview');
  const token = spec['token'];
  if (token !== undefined && typeof token !== 'string') throw badRequest('spec.token must be a string');
  if (!token) throw badRequest('token is required for TokenReview in authentication');
  const rawAuds = spec['audiences'];
  if (rawAuds !== undefined && rawAuds !== null && (!Array.isArray(rawAuds) || !rawAuds.every((a) => typeof a === 'string'))) {
    throw badRequest('spec.audiences must be a list of strings');
  }
  const asked = (rawAuds as string[] | null | undefined) ?? [];
  const auds = asked.length > 0 ? asked : [...apiAudiences];
  const meta = isRec(body['metadata']) ? body['metadata'] : {};
  const status: Rec = {};
  const r = tokens ? await tokens.authenticateToken(token, auds) : undefined;
  if (r) {
    // authenticators that know nothing of audiences (static and bootstrap tokens) vouch for the API server's
    const got = r.audiences ?? auds;
    if (auds.length > 0 && !got.some((a) => auds.includes(a))) throw internal('error validating audiences');
    status['authenticated'] = true;
    status['user'] = userInfoJson(r.user);
    status['audiences'] = got;
  } else {
    status['user'] = {};
    const why = await explain?.(token, auds);
    status['error'] = why ? `[invalid bearer token, ${why}]` : 'invalid bearer token';
  }
  return {
    kind: 'TokenReview',
    apiVersion: API_VERSION,
    metadata: { ...(typeof meta['name'] === 'string' ? { name: meta['name'] } : {}), creationTimestamp: null },
    spec: { token, ...(asked.length > 0 ? { audiences: asked } : {}) },
    status,
  };
}

/** The SelfSubjectReview answer: who the caller is. */
export function reviewSelf(body: Rec, user: UserInfo, nowMs: number): Rec {
  readSpec(body, 'SelfSubjectReview');
  return {
    kind: 'SelfSubjectReview',
    apiVersion: API_VERSION,
    metadata: { creationTimestamp: rfc3339Now(nowMs) },
    status: { userInfo: userInfoJson(user) },
  };
}
