// A stand-in for the UI server's HTTP contract (/ui/, /ui/assets, /ui/whoami, /ui/session,
// /ui/login?code=, /ui/k8s/<collection> list + watch, pod logs, /ui/api/plan) holding objects in
// memory, for the web view's browser bench (thousands of nodes and pods without thousands of sims)
// and for browser tests of the page alone. It follows the contract's rules that the page depends
// on (the X-Tandem-UI header, the session cookie, 410 on a stale resourceVersion) and nothing else:
// no authorization, no Kubernetes semantics beyond list/watch.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';

interface Obj {
  metadata: { name?: string; namespace?: string; resourceVersion?: string };
}
interface Change {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
}

const SESSION = 'tandem_ui_session';

export interface FakeUiApi {
  url: string;
  /** a token POST /ui/session accepts, and a one-time code for /ui/login?code= */
  token: string;
  loginCode: string;
  put(collection: string, obj: Obj): void;
  remove(collection: string, obj: Obj): void;
  /** lines the log stream of a pod sends (follow=true keeps the stream open for later ones) */
  log(ns: string, pod: string, line: string): void;
  setPlan(plan: unknown): void;
  /** every /ui/k8s request's path and query, in order (tests read how the page lists and watches) */
  requests: string[];
  /** ends every open watch, as a restarting server would */
  dropWatches(): void;
  /** forgets the change history: a watch from a resourceVersion before the latest gets 410 Gone */
  expireHistory(): void;
  /** from now on every list page asked for with `continue` is answered 410 Expired, as a server whose history moved past the token */
  expireContinues(): void;
  close(): Promise<void>;
}

class Collection {
  items = new Map<string, Obj>();
  changes: Change[] = [];
  watchers = new Set<(c: Change) => void>();
}

const keyOf = (o: Obj) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export async function startFakeUiApi(opts: { uiDir: string; keepChanges?: number }): Promise<FakeUiApi> {
  const collections = new Map<string, Collection>();
  const logs = new Map<string, { lines: string[]; followers: Set<ServerResponse> }>();
  const sessions = new Set<string>();
  const token = `tok-${Math.random().toString(36).slice(2)}`;
  let loginCode = `code-${Math.random().toString(36).slice(2)}`;
  let rv = 1000;
  let plan: unknown = { error: 'no plan set' };
  const requests: string[] = [];
  const openWatches = new Set<ServerResponse>();
  let expiredBefore = 0;
  let continuesExpire = false;
  const keep = opts.keepChanges ?? 100_000;

  const coll = (path: string) => {
    let c = collections.get(path);
    if (!c) collections.set(path, (c = new Collection()));
    return c;
  };
  const record = (path: string, type: Change['type'], obj: Obj) => {
    const c = coll(path);
    const object = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
    if (type === 'DELETED') c.items.delete(keyOf(obj));
    else c.items.set(keyOf(obj), object);
    const change = { rv, type, object };
    c.changes.push(change);
    if (c.changes.length > keep) c.changes.splice(0, c.changes.length - keep);
    for (const w of c.watchers) w(change);
  };
  const logOf = (k: string) => {
    let l = logs.get(k);
    if (!l) logs.set(k, (l = { lines: [], followers: new Set() }));
    return l;
  };

  const newSession = (res: ServerResponse) => {
    const id = Math.random().toString(36).slice(2);
    sessions.add(id);
    res.setHeader('Set-Cookie', `${SESSION}=${id}; HttpOnly; SameSite=Strict; Path=/ui`);
  };
  const hasSession = (req: IncomingMessage) => {
    const m = (req.headers.cookie ?? '').match(new RegExp(`${SESSION}=([^;]+)`));
    return !!m && sessions.has(m[1] ?? '');
  };
  const status = (res: ServerResponse, code: number, message: string) => {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, message }));
  };

  const serveFile = (res: ServerResponse, rel: string, type: string, cache: string) => {
    const file = normalize(join(opts.uiDir, rel));
    if (!file.startsWith(opts.uiDir) || !existsSync(file)) return status(res, 404, `no ${rel}`);
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': cache });
    res.end(readFileSync(file));
  };

  const handleK8s = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname.slice('/ui/k8s'.length);
    requests.push(`${path}${url.search}`);
    const logMatch = path.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/);
    if (logMatch) {
      const l = logOf(`${decodeURIComponent(logMatch[1] ?? '')}/${decodeURIComponent(logMatch[2] ?? '')}`);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write(l.lines.map((s) => `${s}\n`).join(''));
      if (url.searchParams.get('follow') !== 'true') return res.end();
      l.followers.add(res);
      req.on('close', () => l.followers.delete(res));
      return;
    }
    if (path.startsWith('/apis/metrics.k8s.io/')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ kind: 'NodeMetricsList', items: [...coll('/apis/metrics.k8s.io/v1beta1/nodes').items.values()] }));
    }
    const c = coll(path);
    if (url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true') {
      const from = Number(url.searchParams.get('resourceVersion') || rv);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      const oldest = c.changes[0]?.rv ?? rv + 1;
      if ((c.changes.length >= keep && from < oldest - 1) || from < expiredBefore) {
        res.end(
          JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } }) +
            '\n',
        );
        return;
      }
      for (const ch of c.changes) if (ch.rv > from) res.write(JSON.stringify({ type: ch.type, object: ch.object }) + '\n');
      // one write per macrotask batch, as an API server's watch flushes
      let buf = '';
      let timer: ReturnType<typeof setImmediate> | undefined;
      const w = (ch: Change) => {
        buf += JSON.stringify({ type: ch.type, object: ch.object }) + '\n';
        timer ??= setImmediate(() => {
          timer = undefined;
          res.write(buf);
          buf = '';
        });
      };
      c.watchers.add(w);
      openWatches.add(res);
      req.on('close', () => {
        c.watchers.delete(w);
        openWatches.delete(res);
      });
      return;
    }
    if (continuesExpire && url.searchParams.get('continue')) return status(res, 410, 'The provided continue parameter is too old');
    const limit = Number(url.searchParams.get('limit') || 0);
    const start = Number(url.searchParams.get('continue') || 0);
    const all = [...c.items.values()];
    const page = limit ? all.slice(start, start + limit) : all;
    const more = limit && start + limit < all.length;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'List',
        metadata: { resourceVersion: String(rv), ...(more ? { continue: String(start + limit) } : {}) },
        items: page,
      }),
    );
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    if (p === '/ui' || p === '/ui/') return serveFile(res, 'index.html', 'text/html; charset=utf-8', 'no-cache');
    if (p.startsWith('/ui/assets/')) {
      const type = p.endsWith('.js') ? 'text/javascript' : p.endsWith('.css') ? 'text/css' : 'application/octet-stream';
      return serveFile(res, p.slice('/ui/'.length), type, 'public, max-age=31536000, immutable');
    }
    if (p === '/ui/login') {
      if (url.searchParams.get('code') !== loginCode) return status(res, 401, 'this login link is not valid (any more)');
      loginCode = `used-${Math.random()}`;
      newSession(res);
      res.writeHead(303, { Location: '/ui/' });
      return res.end();
    }
    if (p === '/ui/session' && req.method === 'POST') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        let t = '';
        try {
          t = (JSON.parse(body) as { token?: string }).token ?? '';
        } catch {
          return status(res, 400, 'the body must be JSON {"token": "..."}');
        }
        if (t !== token) return status(res, 401, 'the token was not accepted');
        newSession(res);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ username: 'admin', groups: ['system:masters'] }));
      });
      return;
    }
    if (req.headers['x-tandem-ui'] !== '1') return status(res, 403, 'missing X-Tandem-UI header');
    if (!hasSession(req)) return status(res, 401, 'no session: sign in');
    if (p === '/ui/whoami') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ username: 'admin', groups: ['system:masters'] }));
    }
    if (p === '/ui/logout') {
      res.setHeader('Set-Cookie', `${SESSION}=; Max-Age=0; Path=/ui`);
      return status(res, 200, 'signed out');
    }
    if (p === '/ui/api/plan') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify(plan));
    }
    if (p.startsWith('/ui/k8s/')) return handleK8s(req, res, url);
    status(res, 404, `no route ${p}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    get loginCode() {
      return loginCode;
    },
    put: (collection, obj) => record(collection, coll(collection).items.has(keyOf(obj)) ? 'MODIFIED' : 'ADDED', obj),
    remove: (collection, obj) => record(collection, 'DELETED', obj),
    log: (ns, pod, line) => {
      const l = logOf(`${ns}/${pod}`);
      l.lines.push(line);
      for (const f of l.followers) f.write(`${line}\n`);
    },
    setPlan: (p) => (plan = p),
    requests,
    dropWatches: () => {
      for (const w of openWatches) w.destroy();
    },
    expireHistory: () => {
      expiredBefore = rv;
      for (const c of collections.values()) c.changes = [];
    },
    expireContinues: () => {
      continuesExpire = true;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
