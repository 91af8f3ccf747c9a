// Request authentication as a chain: each authenticator reads what it understands (a bearer token,
// a client certificate) and names the user, or passes. The first that names a user wins; a request
// none of them recognises is answered 401 by the server. Token authenticators are kept separate so
// that TokenReview can ask the same ones about a token that arrived in a body, not a header.

import type { IncomingMessage } from 'node:http';
import { bearerToken, type TokenAuthenticator } from './tokens.js';
import type { UserInfo } from './user.js';

type Maybe<T> = T | undefined | Promise<T | undefined>;

interface TokenAuthResult {
  user: UserInfo;
  /** the audiences the token was accepted for (bound service-account tokens); absent: the API server's own */
  audiences?: string[];
}

export interface BearerTokenAuthenticator {
  /**
   * The user behind a bearer token, or undefined when this authenticator does not know it (or it is
   * invalid: expired, wrong audience, bad signature). `audiences` are what the caller accepts
   * (TokenReview's spec.audiences); undefined means the API server's own audiences.
   */
  authenticateToken(token: string, audiences?: readonly string[]): Maybe<TokenAuthResult>;
}

export interface RequestAuthenticator {
  /** The user a request's credentials name, or undefined (no credentials, or none recognised). */
  authenticate(req: IncomingMessage): Maybe<UserInfo>;
}

/** The static token table (admin, in-process components) as a bearer-token authenticator. */
export function staticTokenAuthenticator(table: TokenAuthenticator): BearerTokenAuthenticator {
  return {
    authenticateToken(token) {
      const user = table.authenticate(`Bearer ${token}`);
      return user ? { user } : undefined;
    },
  };
}

/** Tries token authenticators in order; the first that knows the token answers. */
export function unionTokenAuthenticator(list: readonly BearerTokenAuthenticator[]): BearerTokenAuthenticator {
  return {
    async authenticateToken(token, audiences) {
      for (const a of list) {
        const r = await a.authenticateToken(token, audiences);
        if (r) return r;
      }
      return undefined;
    },
  };
}

export interface RequestAuthenticatorOptions {
  /** the static table, asked first and synchronously (the admin's and the in-process components' tokens) */
  static?: TokenAuthenticator;
  /** further token authenticators (service-account JWTs, bootstrap tokens), asked in order */
  tokens?: readonly BearerTokenAuthenticator[];
  /** request authenticators that read something else (client certificates), asked before any token */
  others?: readonly RequestAuthenticator[];
}

/**
 * The API server's authenticator: client certificates and the like first (a TLS identity cannot be
 * forged by a header), then the Authorization header's bearer token through the static table and
 * then the other token authenticators. Synchronous for the static table, so the hot path of the
 * admin and the components pays no promise.
 */
export function createRequestAuthenticator(o: RequestAuthenticatorOptions): RequestAuthenticator {
  const others = o.others ?? [];
  const tokens = o.tokens ?? [];
  const fromToken = (header: string | undefined): Maybe<UserInfo> => {
    if (header === undefined) return undefined;
    const hit = o.static?.authenticate(header);
    if (hit) return hit;
    if (tokens.length === 0) return undefined;
    const token = bearerToken(header);
    if (token === undefined) return undefined;
    return (async () => {
      for (const a of tokens) {
        const r = await a.authenticateToken(token);
        if (r) return r.user;
      }
      return undefined;
    })();
  };
  return {
    authenticate(req) {
      const header = req.headers['authorization'];
      // synchronous answers (no client certificate: the common case) keep the token path promise-free
      for (let i = 0; i < others.length; i++) {
        const u = others[i]!.authenticate(req);
        if (u instanceof Promise) {
          return (async () => {
            const first = await u;
            if (first) return first;
            for (const a of others.slice(i + 1)) {
              const next = await a.authenticate(req);
              if (next) return next;
            }
            return fromToken(header);
          })();
        }
        if (u) return u;
      }
      return fromToken(header);
    },
  };
}
