// The identities of the `auth` bench phase: a ServiceAccount that may create, get and list pods in
// its own namespace (a Role and a RoleBinding, made by the admin), and a bound token for it from the
// TokenRequest API, checked once through TokenReview before anything is timed.

import type { Client } from './http-load.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function create(admin: Client, path: string, obj: unknown): Promise<void> {
  const r = await admin.send('POST', path, JSON.stringify(obj));
  if (r.status !== 201 && r.status !== 409) throw new Error(`POST ${path}: HTTP ${r.status} ${r.body ?? ''}`);
}

/** Resolves when GET `path` answers 200 (the serviceaccount controller's `default`), or throws after `timeoutMs`. */
export async function waitFor(admin: Client, path: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await admin.send('GET', path);
    if (r.status === 200) return;
    if (Date.now() > until) throw new Error(`GET ${path}: HTTP ${r.status} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * ServiceAccount `name` in `namespace` with a Role allowing create/get/list on pods there and a
 * RoleBinding to it; returns a bound token (TokenRequest, one hour).
 */
export async function podCreatorToken(admin: Client, namespace: string, name: string): Promise<string> {
  const ns = `/api/v1/namespaces/${namespace}`;
  const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}`;
  await create(admin, `${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
  await create(admin, `${rbac}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'pod-creator' },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'list'] }],
  });
  await create(admin, `${rbac}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'pod-creator' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-creator' },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  });
  const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
  const r = await admin.send('POST', `${ns}/serviceaccounts/${name}/token`, body, { keepBody: true });
  if (r.status !== 201) throw new Error(`TokenRequest for ${namespace}/${name}: HTTP ${r.status} ${r.body ?? ''}`);
  const token = (JSON.parse(r.body ?? '{}') as { status?: { token?: string } }).status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${name}: no status.token in ${r.body ?? ''}`);
  return token;
}

/** The TokenReview body for `token`, and the check that it names `username` (done once, untimed). */
export function tokenReviewBody(token: string): string {
  return JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
}

export async function checkTokenReview(admin: Client, token: string, username: string): Promise<void> {
  const r = await admin.send('POST', '/apis/authentication.k8s.io/v1/tokenreviews', tokenReviewBody(token), { keepBody: true });
  const status = (JSON.parse(r.body ?? '{}') as { status?: { authenticated?: boolean; user?: { username?: string }; error?: string } })
    .status;
  if (r.status !== 201 || !status?.authenticated || status.user?.username !== username)
    throw new Error(`TokenReview of the ServiceAccount token: HTTP ${r.status} ${r.body ?? ''}`);
}
