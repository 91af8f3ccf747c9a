import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import {
  alwaysAllowAuthorizer,
  createRequestAuthenticator,
  createTokenAuthenticator,
  forbiddenError,
  forbiddenText,
  privilegedGroupAuthorizer,
  staticTokenAuthenticator,
  unionAuthorizer,
  unionTokenAuthenticator,
  type AuthorizationAttributes,
  type Authorizer,
  type BearerTokenAuthenticator,
} from './index.js';
import { requestAttributes } from './authorize-request.js';
import { parseRequestInfo } from '../http/request-info.js';

const alice = { name: 'alice', groups: ['system:authenticated'] };
const attrs = (over: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes => ({
  user: alice,
  verb: 'list',
  resourceRequest: true,
  path: '/api/v1/namespaces/default/pods',
  apiGroup: '',
  apiVersion: 'v1',
  resource: 'pods',
  subresource: '',
  namespace: 'default',
  name: '',
  ...over,
});

test('forbidden messages follow upstream wording for resources, subresources, cluster scope and paths', () => {
  assert.equal(forbiddenText(attrs(), ''), 'User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
  const e = forbiddenError(attrs({ verb: 'create', subresource: 'exec', name: 'web' }), '');
  assert.equal(e.code, 403);
  assert.equal(
    e.message,
    'pods "web" is forbidden: User "alice" cannot create resource "pods/exec" in API group "" in the namespace "default"',
  );
  assert.deepEqual(e.toStatus().details, { name: 'web', kind: 'pods' });
  const d = forbiddenError(attrs({ apiGroup: 'apps', resource: 'deployments', namespace: '', verb: 'get' }), 'no RBAC policy matched');
  assert.equal(
    d.message,
    'deployments.apps is forbidden: User "alice" cannot get resource "deployments" in API group "apps" at the cluster scope: no RBAC policy matched',
  );
  const p = forbiddenError(attrs({ resourceRequest: false, path: '/metrics', verb: 'get' }), '');
  assert.equal(p.message, 'forbidden: User "alice" cannot get path "/metrics"');
});

test('the union stops at the first decision and keeps the reasons of those without opinion', async () => {
  const says = (decision: 'allow' | 'deny' | 'no-opinion', reason: string): Authorizer => ({ authorize: () => ({ decision, reason }) });
  assert.equal(
    (await unionAuthorizer([says('no-opinion', 'a'), says('deny', 'b'), says('allow', 'c')]).authorize(attrs())).decision,
    'deny',
  );
  const none = await unionAuthorizer([says('no-opinion', 'a'), privilegedGroupAuthorizer, says('no-opinion', 'b')]).authorize(attrs());
  assert.deepEqual(none, { decision: 'no-opinion', reason: 'a\nb' });
  const admin = { name: 'root', groups: ['system:masters'] };
  assert.equal((await unionAuthorizer([privilegedGroupAuthorizer]).authorize(attrs({ user: admin }))).decision, 'allow');
  assert.equal((await alwaysAllowAuthorizer.authorize(attrs())).decision, 'allow');
});

test('request attributes: streams are create, namespaces name themselves, non-resource paths use the method', () => {
  const q = new URLSearchParams();
  const exec = requestAttributes(
    alice,
    'GET',
    '/api/v1/namespaces/d/pods/p/exec',
    parseRequestInfo('GET', '/api/v1/namespaces/d/pods/p/exec', q),
  );
  assert.equal(exec.verb, 'create');
  assert.equal(exec.subresource, 'exec');
  const ns = requestAttributes(alice, 'DELETE', '/api/v1/namespaces/x', parseRequestInfo('DELETE', '/api/v1/namespaces/x', q));
  assert.deepEqual([ns.verb, ns.namespace, ns.name, ns.resource], ['delete', 'x', 'x', 'namespaces']);
  const other = requestAttributes(alice, 'HEAD', '/openapi/v2', parseRequestInfo('HEAD', '/openapi/v2', q));
  assert.deepEqual([other.resourceRequest, other.verb, other.path], [false, 'get', '/openapi/v2']);
});

test('the request authenticator asks certificates first, then the static table, then other tokens', async () => {
  const table = createTokenAuthenticator([{ token: 'admintoken', user: { name: 'admin', groups: ['system:masters'] } }]);
  const jwt: BearerTokenAuthenticator = { authenticateToken: (t) => (t === 'jwt.x.y' ? { user: alice } : undefined) };
  const cert = {
    authenticate: (r: IncomingMessage) => (r.headers['x-cert'] === 'node' ? { name: 'system:node:n1', groups: [] } : undefined),
  };
  const a = createRequestAuthenticator({ static: table, tokens: [jwt], others: [cert] });
  const req = (h: Record<string, string>) => ({ headers: h }) as unknown as IncomingMessage;
  assert.equal((await a.authenticate(req({ authorization: 'Bearer admintoken' })))?.name, 'admin');
  assert.equal((await a.authenticate(req({ authorization: 'Bearer jwt.x.y' })))?.name, 'alice');
  assert.equal((await a.authenticate(req({ authorization: 'Bearer admintoken', 'x-cert': 'node' })))?.name, 'system:node:n1');
  assert.equal(await a.authenticate(req({ authorization: 'Bearer nope' })), undefined);
  assert.equal(await a.authenticate(req({})), undefined);
  const union = unionTokenAuthenticator([staticTokenAuthenticator(table), jwt]);
  assert.equal((await union.authenticateToken('jwt.x.y'))?.user.name, 'alice');
  assert.equal((await union.authenticateToken('admintoken'))?.user.name, 'admin');
  assert.equal(await union.authenticateToken('other'), undefined);
});
