// Who calls the agent's server, as the kubelet finds out: a client certificate signed by the
// cluster CA (the API server presents CN kube-apiserver-kubelet-client), else a bearer token that
// the API server vouches for through a TokenReview (answers cached for two minutes, as the
// kubelet's webhook authenticator does). Nothing else is anyone.

import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket, PeerCertificate } from 'node:tls';
import type { TokenReview } from '../../../api/gen/types.js';
import type { Logger } from '../../../base/log.js';
import { TtlCache } from './ttl-cache.js';

export interface AgentUser {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** How the agent asks the API server (its own node client does: RestClient.request fits). */
export interface ReviewClient {
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

export interface AgentAuthnOptions {
  /** reviews bearer tokens; absent: only certificates are accepted */
  reviews?: ReviewClient;
  /** audiences asked for in the TokenReview (default: the API server's own) */
  audiences?: string[];
  tokenTtlMs?: number;
  now?: () => number;
  log?: Logger;
}

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const AUTHENTICATED = 'system:authenticated';

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The user of a verified client certificate: CN the name, O the groups (upstream's x509 CommonNameUserConversion). */
function certificateUser(cert: PeerCertificate): AgentUser | undefined {
  const cn = asList(cert.subject?.CN)[0];
  if (!cn) return undefined;
  // a certificate for serving only (no clientAuth usage) is no client identity
  const eku = (cert as PeerCertificate & { ext_key_usage?: string[] }).ext_key_usage;
  if (eku && !eku.includes(CLIENT_AUTH_OID)) return undefined;
  const groups = asList(cert.subject?.O);
  return { name: cn, groups: groups.includes(AUTHENTICATED) ? groups : [...groups, AUTHENTICATED] };
}

const bearer = (h: string | undefined) => (h ? /^bearer +(\S+)$/i.exec(h.trim())?.[1] : undefined);

export interface AgentAuthenticator {
  authenticate(req: IncomingMessage): Promise<AgentUser | undefined>;
}

export function createAgentAuthenticator(o: AgentAuthnOptions): AgentAuthenticator {
  const now = o.now ?? Date.now;
  const ttl = o.tokenTtlMs ?? 120_000;
  const cache = new TtlCache<AgentUser | null>(4096, now);

  async function review(token: string, key: string): Promise<AgentUser | undefined> {
    if (!o.reviews) return undefined;
    const body: TokenReview = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      metadata: {},
      spec: { token, ...(o.audiences ? { audiences: o.audiences } : {}) },
    };
    let answer: TokenReview;
    try {
      answer = await o.reviews.request<TokenReview>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', body);
    } catch (e) {
      // the API server unreachable is no verdict on the token: not cached, asked again next time
      o.log?.warn('token review failed', { error: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
    const s = answer.status;
    const user: AgentUser | null =
      s?.authenticated && s.user?.username
        ? {
            name: s.user.username,
            ...(s.user.uid ? { uid: s.user.uid } : {}),
            groups: s.user.groups ?? [],
            ...(s.user.extra ? { extra: s.user.extra } : {}),
          }
        : null;
    cache.set(key, user, ttl);
    return user ?? undefined;
  }

  return {
    async authenticate(req) {
      const socket = req.socket as TLSSocket;
      if (socket.authorized && typeof socket.getPeerCertificate === 'function') {
        const cert = socket.getPeerCertificate();
        const u = cert && Object.keys(cert).length ? certificateUser(cert) : undefined;
        if (u) return u;
      }
      const token = bearer(req.headers['authorization']);
      if (!token) return undefined;
      const digest = createHash('sha256').update(token).digest();
      const key = digest.toString('base64');
      const hit = cache.get(key);
      if (hit !== undefined) return hit ?? undefined;
      return review(token, key);
    },
  };
}
