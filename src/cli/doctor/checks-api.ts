// Checks through the API server named by a kubeconfig: reachable and trusted, this host's clock
// against the server's, and the credentials accepted with the rights they need.

import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { fail, ok, skip, warn, type CheckResult } from './doctor-types.js';

export interface ApiCredentials {
  server: string;
  caPem: string;
  token?: string;
  certPem?: string;
  keyPem?: string;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTPS request with the kubeconfig's trust and credentials; rejects with the transport error. */
export function apiRequest(c: ApiCredentials, method: string, path: string, body?: unknown, timeoutMs = 5000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      new URL(path, c.server),
      {
        method,
        ca: c.caPem,
        ...(c.certPem && c.keyPem ? { cert: c.certPem, key: c.keyPem } : {}),
        headers: {
          Accept: 'application/json',
          ...(c.token ? { Authorization: `Bearer ${c.token}` } : {}),
          ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}),
        },
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(data);
  });
}

/** Reachability and trust, from GET /readyz. Returns the answer (for the clock check) when it came. */
export async function checkApiReachable(c: ApiCredentials): Promise<{ result: CheckResult; answer?: Answer }> {
  const id = 'api.reachable';
  const title = 'the API server answers and its certificate is trusted';
  try {
    const answer = await apiRequest(c, 'GET', '/readyz');
    if (answer.status !== 200)
      return {
        result: fail(
          id,
          title,
          `${c.server}/readyz answered ${answer.status}: ${answer.body.trim().slice(0, 200)}`,
          'look at the server’s log; `tandem status` shows what runs',
        ),
        answer,
      };
    return { result: ok(id, title, `${c.server} is ready`), answer };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const msg = e instanceof Error ? e.message : String(e);
    if (code === 'ECONNREFUSED')
      return {
        result: fail(
          id,
          title,
          `nothing listens at ${c.server}`,
          'start it: `tandem up` (or `tandem server`), or fix the kubeconfig’s server',
        ),
      };
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code) || /certificate/i.test(msg))
      return {
        result: fail(
          id,
          title,
          `${c.server} presents a certificate the kubeconfig’s CA did not sign (${code || msg})`,
          'the kubeconfig belongs to another cluster, or the server’s data dir was recreated: use the kubeconfig the server wrote (DATA/kubeconfig), or join again',
        ),
      };
    return { result: fail(id, title, `${c.server}: ${msg}`, 'check the address and the network between this host and the server') };
  }
}

/** The server's Date header against this host's clock: over 5 s warns, over 60 s fails (token and certificate checks allow about a minute). */
export function checkClockSkew(answer: Answer | undefined, now = Date.now()): CheckResult {
  const id = 'api.clock';
  const title = 'this host’s clock agrees with the API server’s';
  const date = answer?.headers['date'];
  if (!date) return skip(id, title, 'the API server did not answer, or sent no Date header');
  const skew = (now - Date.parse(date)) / 1000;
  const text = `this host is ${Math.abs(skew).toFixed(0)} s ${skew >= 0 ? 'ahead of' : 'behind'} the API server`;
  const fix = 'synchronise both clocks (on Debian: apt-get install systemd-timesyncd; on Windows: w32tm /resync)';
  if (Math.abs(skew) > 60) return fail(id, title, text, fix);
  if (Math.abs(skew) > 5) return warn(id, title, text, fix);
  return ok(id, title, Math.abs(skew) < 2 ? 'within a second or two' : text);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

async function canI(c: ApiCredentials, attrs: Record<string, string>): Promise<boolean | undefined> {
  const r = await apiRequest(c, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: attrs },
  });
  if (r.status !== 201 && r.status !== 200) return undefined;
  const status = (JSON.parse(r.body) as Record<string, unknown>)['status'];
  return isObj(status) && status['allowed'] === true;
}

/** The credentials are accepted, and hold what their role needs: a node its own Node and status, anyone else listing pods. */
export async function checkCredentials(c: ApiCredentials): Promise<CheckResult> {
  const id = 'api.credentials';
  const title = 'the credentials are accepted and hold the rights they need';
  let who = await apiRequest(c, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'SelfSubjectReview',
  }).catch((e: unknown) => e as Error);
  if (who instanceof Error) return skip(id, title, `the API server could not be asked: ${who.message}`);
  if (who.status === 401)
    return fail(
      id,
      title,
      'the API server refused the credentials (401)',
      'the token expired or the node was removed: get a fresh kubeconfig, or `tandem join` again',
    );
  let user: string | undefined;
  if (who.status === 201 || who.status === 200) {
    const st = (JSON.parse(who.body) as Record<string, unknown>)['status'];
    const info = isObj(st) && isObj(st['userInfo']) ? st['userInfo'] : undefined;
    user = typeof info?.['username'] === 'string' ? info['username'] : undefined;
  } else {
    who = await apiRequest(c, 'GET', '/api/v1/namespaces?limit=1');
    if (who.status === 401) return fail(id, title, 'the API server refused the credentials (401)', 'get a fresh kubeconfig');
  }
  const node = user?.startsWith('system:node:') ? user.slice('system:node:'.length) : undefined;
  const checks: Array<[string, Record<string, string>]> = node
    ? [
        [`get node ${node}`, { verb: 'get', resource: 'nodes', name: node }],
        [`update node ${node}'s status`, { verb: 'update', resource: 'nodes', subresource: 'status', name: node }],
        ['list pods', { verb: 'list', resource: 'pods' }],
      ]
    : [['list pods in every namespace', { verb: 'list', resource: 'pods' }]];
  const missing: string[] = [];
  for (const [what, attrs] of checks) {
    const allowed = await canI(c, attrs).catch(() => undefined);
    if (allowed === undefined) return ok(id, title, `accepted${user ? ` as ${user}` : ''} (this server cannot review rights)`);
    if (!allowed) missing.push(what);
  }
  if (missing.length)
    return fail(
      id,
      title,
      `${user ?? 'this user'} may not ${missing.join(', ')}`,
      node
        ? 'the node’s identity lacks its rights: is the Node authorizer on, and the node’s name the one it registered?'
        : 'grant them with a RoleBinding/ClusterRoleBinding (kubectl create clusterrolebinding …), or use the admin kubeconfig',
    );
  return ok(id, title, `accepted as ${user ?? 'this user'}`);
}
