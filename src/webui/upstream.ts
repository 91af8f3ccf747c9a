// Calls from the web view's server to the API server, always with the user's own bearer token: the
// API authenticates and authorizes each one exactly like a kubectl request. Also the token check at
// login (a SelfSubjectReview made with the token answers who it is, or 401).

import { request, Agent } from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Credential } from './sessions.js';

export interface Upstream {
  /** the API server, https://HOST:PORT */
  url: string;
  caPem: string;
}

export interface UpstreamClient {
  request(
    token: string,
    method: string,
    path: string,
    headers: OutgoingHttpHeaders,
    body?: NodeJS.ReadableStream | Buffer,
  ): Promise<IncomingMessage>;
  /** Who the token is, per the API; a clear error when it is refused. */
  verify(token: string): Promise<Credential>;
  close(): void;
}

export class TokenRefused extends Error {}

export function createUpstream(u: Upstream): UpstreamClient {
  const base = new URL(u.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64, ca: u.caPem });
  const call: UpstreamClient['request'] = (token, method, path, headers, body) =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: base.hostname.replace(/^\[|\]$/g, ''),
          port: base.port || 443,
          servername: base.hostname.startsWith('[') ? undefined : base.hostname,
          method,
          path,
          headers: { ...headers, authorization: `Bearer ${token}` },
        },
        resolve,
      );
      req.once('error', reject);
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else body.pipe(req);
    });
  return {
    request: call,
    async verify(token) {
      if (!/^[\x21-\x7e]+$/.test(token)) throw new TokenRefused('the token is empty or has characters a bearer token cannot have');
      const body = Buffer.from(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }));
      const res = await call(
        token,
        'POST',
        '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': body.length,
        },
        body,
      );
      const chunks: Buffer[] = [];
      for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
      const text = Buffer.concat(chunks).toString('utf8');
      if (res.statusCode === 401) throw new TokenRefused('the API server does not accept this token (401)');
      if (res.statusCode !== 201 && res.statusCode !== 200) {
        throw new Error(`the API server answered ${res.statusCode} to the token check: ${text.slice(0, 200)}`);
      }
      const review = JSON.parse(text) as { status?: { userInfo?: { username?: string; groups?: string[] } } };
      return { token, user: review.status?.userInfo?.username ?? '', groups: review.status?.userInfo?.groups ?? [] };
    },
    close: () => agent.destroy(),
  };
}
