// The web view's HTTPS server (`tandem server --ui-listen`, default 127.0.0.1:6444): its own port
// and certificate (DATA/pki/ui.crt), the page's files, login (one-time link or bearer token) into
// a session cookie, and /ui/k8s/ forwarding to the API server with the session's token. Routes and
// the security model: docs/web-view.md.

import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../base/log.js';
import { forward, K8S_PREFIX } from './forward.js';
import {
  CLEAR_COOKIE,
  cookieOf,
  csrfProblem,
  readBody,
  securityHeaders,
  sendJson,
  sendStatus,
  SESSION_COOKIE,
  sessionCookie,
} from './http-util.js';
import { LoginCodes, Sessions, SESSION_IDLE_MS, LOGIN_CODE_MS, type Credential } from './sessions.js';
import { DEFAULT_UI_DIR, sendAsset, sendIndex } from './static-files.js';
import { createUpstream, TokenRefused } from './upstream.js';

/** What `tandem plan upgrade` answers, as JSON, read with the caller's token (given by the CLI layer). */
export type PlanFn = (token: string, q: { selector: string; build: string; fromImageIndex: boolean }) => Promise<unknown>;

export interface UiServerOptions {
  host: string;
  port: number;
  tls: { cert: string; key: string };
  /** the API server the page's calls go to, and its CA */
  api: { url: string; caPem: string };
  log: Logger;
  /** dist/ui (default: beside this build) */
  dir?: string;
  /** one-time code lifetime (default 60 s; tests shorten it) */
  codeTtlMs?: number;
  sessionIdleMs?: number;
  plan?: PlanFn;
}

export interface UiServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

const isLoginFailure = (e: unknown) => e instanceof TokenRefused;

const LINK_REFUSED = (why: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tandem: login link refused</title></head>
<body><main><h1>This login link does not work</h1><p>${why}</p>
<p>Run <code>tandem ui</code> again for a new link (each link works once, within a minute).</p></main></body></html>
`;

export async function startUiServer(o: UiServerOptions): Promise<UiServer> {
  const dir = o.dir ?? DEFAULT_UI_DIR;
  const sessions = new Sessions(o.sessionIdleMs ?? SESSION_IDLE_MS);
  const codes = new LoginCodes(o.codeTtlMs ?? LOGIN_CODE_MS);
  const upstream = createUpstream(o.api);
  const log = o.log;
  const maxAgeS = Math.floor((o.sessionIdleMs ?? SESSION_IDLE_MS) / 1000);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    securityHeaders(res);
    const host = req.headers.host ?? `${o.host}:${o.port}`;
    const url = new URL(req.url ?? '/', `https://${host}`);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const ownOrigins = new Set([`https://${host}`]);
    const session = (): Credential | undefined => sessions.use(cookieOf(req, SESSION_COOKIE));

    if (path === '/' || path === '/ui') {
      res.writeHead(302, { Location: '/ui/' });
      return void res.end();
    }
    if (path === '/ui/api/login-links' && method === 'POST') return loginLink(req, res, host);
    if (path === '/ui/login' && method === 'GET') {
      const c = codes.take(url.searchParams.get('code'));
      if (typeof c === 'string') {
        const why = c === 'expired' ? 'The link has expired.' : 'The link is unknown or was used already.';
        res.writeHead(401, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        return void res.end(LINK_REFUSED(why));
      }
      const id = sessions.create(c);
      log.info('web view login by link', { user: c.user });
      // 303: the code leaves the address bar (and history) at once
      res.writeHead(303, { Location: '/ui/', 'Set-Cookie': sessionCookie(id, maxAgeS), 'Cache-Control': 'no-store' });
      return void res.end();
    }
    if (path === '/ui/session' && method === 'POST') {
      const bad = csrfProblem(method, req.headers, ownOrigins);
      if (bad) return sendStatus(res, 403, bad);
      return tokenLogin(req, res);
    }
    if (path === '/ui/logout' && method === 'POST') {
      const bad = csrfProblem(method, req.headers, ownOrigins);
      if (bad) return sendStatus(res, 403, bad);
      sessions.end(cookieOf(req, SESSION_COOKIE));
      res.setHeader('Set-Cookie', CLEAR_COOKIE);
      return sendJson(res, 200, { loggedOut: true });
    }
    if (path === '/ui/whoami' && method === 'GET') {
      const s = session();
      return s ? sendJson(res, 200, { username: s.user, groups: s.groups }) : sendStatus(res, 401, 'not logged in');
    }
    if (path === K8S_PREFIX || path.startsWith(`${K8S_PREFIX}/`) || path.startsWith('/ui/api/')) {
      // checked before the session, so a cross-site request learns nothing either way
      const bad = csrfProblem(method, req.headers, ownOrigins);
      if (bad) return sendStatus(res, 403, bad);
      const s = session();
      if (!s) return sendStatus(res, 401, 'not logged in: open the link `tandem ui` prints, or log in with a token');
      if (path.startsWith('/ui/api/')) return api(req, res, url, s);
      return forward(req, res, url, s.token, upstream, log);
    }
    if (method !== 'GET' && method !== 'HEAD') return sendStatus(res, 405, `${method} ${path} is not served`);
    if (path.startsWith('/ui/assets/')) {
      if (!(await sendAsset(res, dir, path.slice('/ui/assets/'.length)))) sendStatus(res, 404, `${path}: no such file`);
      return;
    }
    // the page and its deep links (/ui/nodes/…, /ui/pods/…): the page routes them itself
    if (path.startsWith('/ui/')) return sendIndex(res, dir);
    return sendStatus(res, 404, `${path}: the web view lives under /ui/`);
  };

  /** `tandem ui`: a one-time link for the caller's own token, checked by the API server first. */
  async function loginLink(req: IncomingMessage, res: ServerResponse, host: string): Promise<void> {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m) return sendStatus(res, 401, "a login link needs the caller's bearer token (Authorization: Bearer …)");
    try {
      const cred = await upstream.verify(m[1]!.trim());
      const { code, expiresAt } = codes.create(cred);
      sendJson(res, 201, { url: `https://${host}/ui/login?code=${code}`, expiresAt: new Date(expiresAt).toISOString(), user: cred.user });
    } catch (e) {
      if (isLoginFailure(e)) return sendStatus(res, 401, (e as Error).message);
      throw e;
    }
  }

  async function tokenLogin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let token: unknown;
    try {
      token = (JSON.parse((await readBody(req, 64 * 1024)).toString('utf8')) as { token?: unknown }).token;
    } catch {
      return sendStatus(res, 400, 'the body must be JSON: {"token": "…"}');
    }
    if (typeof token !== 'string' || token.trim() === '') return sendStatus(res, 400, 'the body must be JSON: {"token": "…"}');
    try {
      const cred = await upstream.verify(token.trim());
      const id = sessions.create(cred);
      log.info('web view login by token', { user: cred.user });
      res.setHeader('Set-Cookie', sessionCookie(id, maxAgeS));
      sendJson(res, 200, { user: cred.user });
    } catch (e) {
      if (isLoginFailure(e)) return sendStatus(res, 401, (e as Error).message);
      throw e;
    }
  }

  async function api(_req: IncomingMessage, res: ServerResponse, url: URL, s: Credential): Promise<void> {
    if (url.pathname === '/ui/api/plan' && _req.method === 'GET') {
      if (!o.plan) return sendStatus(res, 404, 'the planner is not available on this server');
      const selector = url.searchParams.get('selector') ?? '';
      const build = url.searchParams.get('build') ?? '';
      try {
        return sendJson(
          res,
          200,
          await o.plan(s.token, { selector, build, fromImageIndex: url.searchParams.get('fromImageIndex') === '1' }),
        );
      } catch (e) {
        // the planner's input errors (a bad selector or build) are the user's to fix
        return sendStatus(res, (e as { name?: string }).name === 'PlanInputError' ? 400 : 500, e instanceof Error ? e.message : String(e));
      }
    }
    return sendStatus(res, 404, `${url.pathname}: no such web view call`);
  }

  const server: Server = createServer({ cert: o.tls.cert, key: o.tls.key, minVersion: 'TLSv1.2' }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      log.error('web view request failed', { url: req.url, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      if (!res.headersSent) sendStatus(res, 500, 'internal error of the web view server (see its log)');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => (server.off('error', reject), resolve()));
  });
  const port = (server.address() as AddressInfo).port;
  const shown = o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host;
  return {
    port,
    url: `https://${shown.includes(':') ? `[${shown}]` : shown}:${port}`,
    async close() {
      upstream.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
