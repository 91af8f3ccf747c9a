// Registry authentication: the challenge in `WWW-Authenticate` (Bearer with realm/service/scope, or
// Basic) and the token request of the Docker token spec: GET with Basic credentials, or an OAuth2
// POST with a refresh token when the credentials carry an identity token.
import { errorText, readBody, send, type TransportOptions } from './transport.js';

/** Credentials for one registry; structurally the agent's AuthConfig (CRI AuthConfig). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** base64 `username:password` */
  auth?: string;
  serverAddress?: string;
  /** an OAuth2 refresh token for the realm */
  identityToken?: string;
  /** a bearer token sent to the registry as is */
  registryToken?: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export class RegistryAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryAuthError';
  }
}

/** Parses `Bearer realm="https://x/token",service="reg",scope="repository:a:pull"` (several challenges may be comma-joined). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const out: Challenge[] = [];
  for (const h of Array.isArray(header) ? header : header ? [header] : []) {
    let i = 0;
    let cur: Challenge | undefined;
    const skip = (chars: string) => {
      while (i < h.length && chars.includes(h[i] ?? '')) i++;
    };
    while (i < h.length) {
      skip(' \t,');
      const start = i;
      while (i < h.length && !' \t,='.includes(h[i] ?? '')) i++;
      const word = h.slice(start, i);
      if (!word) break;
      skip(' \t');
      if (h[i] !== '=') {
        cur = { scheme: word.toLowerCase(), params: {} };
        out.push(cur);
        continue;
      }
      i++;
      skip(' \t');
      let value = '';
      if (h[i] === '"') {
        for (i++; i < h.length && h[i] !== '"'; i++) value += h[i] === '\\' ? (h[++i] ?? '') : h[i];
        i++;
      } else {
        const vs = i;
        while (i < h.length && !' \t,'.includes(h[i] ?? '')) i++;
        value = h.slice(vs, i);
      }
      if (cur) cur.params[word.toLowerCase()] = value;
    }
  }
  return out;
}

export function basicCredentials(a: RegistryAuth | undefined): string | undefined {
  if (a?.username !== undefined && a.password !== undefined) return Buffer.from(`${a.username}:${a.password}`).toString('base64');
  if (a?.auth) return a.auth;
  return undefined;
}

export interface Token {
  token: string;
  /** ms since the epoch */
  expiresAt: number;
}

/** Asks the realm of a Bearer challenge for a token for `scope`. */
export async function fetchToken(
  c: Challenge,
  scope: string,
  auth: RegistryAuth | undefined,
  o: TransportOptions,
  now: number,
): Promise<Token> {
  const realm = c.params['realm'];
  if (!realm) throw new RegistryAuthError('registry answered 401 with a Bearer challenge without a realm');
  const service = c.params['service'];
  let res;
  if (auth?.identityToken) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: auth.identityToken, client_id: 'tandem', scope });
    if (service) form.set('service', service);
    res = await send(
      { method: 'POST', url: realm, body: Buffer.from(form.toString()), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      o,
    );
  } else {
    const u = new URL(realm);
    if (service) u.searchParams.set('service', service);
    if (scope) u.searchParams.set('scope', scope);
    const basic = basicCredentials(auth);
    res = await send({ method: 'GET', url: u.href, headers: basic ? { Authorization: `Basic ${basic}` } : {} }, o);
  }
  if (res.status !== 200) throw new RegistryAuthError(`token request to ${realm} for ${scope} failed: ${await errorText(res)}`);
  let doc: { token?: string; access_token?: string; expires_in?: number };
  try {
    doc = JSON.parse((await readBody(res, 1 << 20)).toString('utf8')) as typeof doc;
  } catch {
    throw new RegistryAuthError(`token server ${realm} answered with a body that is not JSON`);
  }
  const token = doc.token || doc.access_token;
  if (!token) throw new RegistryAuthError(`token server ${realm} answered without a token`);
  const ttl = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : 60;
  return { token, expiresAt: now + ttl * 1000 - 5000 };
}
