// Client-certificate authentication: a TLS peer whose certificate chain the TLS layer verified
// against the cluster CA (the server asks for client certificates with `ca` set) is the user named
// by the certificate's CN, in the groups named by its O values (plus system:authenticated), as
// upstream's x509 authenticator. The certificate must be valid now and allow client authentication.
// The answer is kept per connection: a kept-alive connection presents the same certificate for all
// its requests, and the admin path (no certificate) costs one property read.

import type { IncomingMessage } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { RequestAuthenticator } from './authenticator.js';
import type { UserInfo } from './user.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The user a verified peer certificate names, or undefined when it names none or may not be used. */
export function userFromCertificate(cert: Partial<PeerCertificate>, now = Date.now()): UserInfo | undefined {
  if (!cert.subject || !cert.valid_from || !cert.valid_to) return undefined;
  const cn = list(cert.subject.CN)[0];
  if (!cn) return undefined;
  if (Date.parse(cert.valid_from) > now || Date.parse(cert.valid_to) < now) return undefined;
  const ekus = cert.ext_key_usage;
  if (ekus && ekus.length > 0 && !ekus.includes(CLIENT_AUTH) && !ekus.includes(ANY_EKU)) return undefined;
  const groups = [...list(cert.subject.O)];
  if (!groups.includes('system:authenticated')) groups.push('system:authenticated');
  return { name: cn, groups };
}

export function createX509Authenticator(now: () => number = Date.now): RequestAuthenticator {
  const bySocket = new WeakMap<TLSSocket, { user: UserInfo | undefined; until: number }>();
  return {
    authenticate(req: IncomingMessage) {
      const sock = req.socket as Partial<TLSSocket>;
      // plain HTTP (the Unix socket) has no `authorized`; unverified certificates are ignored
      if (sock.authorized !== true || typeof sock.getPeerCertificate !== 'function') return undefined;
      const tls = sock as TLSSocket;
      const t = now();
      const hit = bySocket.get(tls);
      if (hit && t < hit.until) return hit.user;
      const cert = tls.getPeerCertificate();
      const user = userFromCertificate(cert, t);
      const validTo = cert.valid_to ? Date.parse(cert.valid_to) : t;
      bySocket.set(tls, { user, until: Math.min(validTo, t + 60_000) });
      return user;
    },
  };
}
