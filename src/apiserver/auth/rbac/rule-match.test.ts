import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyRule } from '../../../api/gen/types.js';
import type { AuthorizationAttributes } from '../authorizer.js';
import { ruleAllows, subjectMatches } from './rule-match.js';

const user = { name: 'alice', groups: ['devs', 'system:authenticated'] };
const req = (o: Partial<AuthorizationAttributes>): AuthorizationAttributes => ({
  user,
  verb: 'get',
  resourceRequest: true,
  path: '/api/v1/namespaces/default/pods/p',
  apiGroup: '',
  apiVersion: 'v1',
  resource: 'pods',
  subresource: '',
  namespace: 'default',
  name: 'p',
  ...o,
});
const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
  ...(resourceNames ? { resourceNames } : {}),
});
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

test('rule matching follows upstream semantics', () => {
  const cases: Array<[string, PolicyRule, Partial<AuthorizationAttributes>, boolean]> = [
    ['exact verb, group, resource', r(['get'], [''], ['pods']), {}, true],
    ['other verb', r(['list'], [''], ['pods']), {}, false],
    ['verb *', r(['*'], [''], ['pods']), { verb: 'delete' }, true],
    ['other group', r(['get'], ['apps'], ['pods']), {}, false],
    ['group *', r(['get'], ['*'], ['deployments']), { apiGroup: 'apps', resource: 'deployments' }, true],
    ['resource *', r(['get'], [''], ['*']), { resource: 'secrets' }, true],
    ['resource * covers subresources', r(['get'], [''], ['*']), { subresource: 'log' }, true],
    ['plain resource does not cover its subresource', r(['get'], [''], ['pods']), { subresource: 'log' }, false],
    ['resource/subresource', r(['get'], [''], ['pods/log']), { subresource: 'log' }, true],
    ['resource/subresource does not cover the resource', r(['get'], [''], ['pods/log']), {}, false],
    ['*/subresource', r(['update'], [''], ['*/status']), { verb: 'update', subresource: 'status' }, true],
    ['*/subresource, other subresource', r(['update'], [''], ['*/status']), { verb: 'update', subresource: 'scale' }, false],
    ['*/subresource never covers a main resource', r(['get'], [''], ['*/status']), {}, false],
    ['resourceNames match', r(['get'], [''], ['pods'], ['p']), {}, true],
    ['resourceNames miss', r(['get'], [''], ['pods'], ['q']), {}, false],
    ['resourceNames never cover a list (no name)', r(['list'], [''], ['pods'], ['p']), { verb: 'list', name: '' }, false],
    ['resource rule never matches a path', r(['get'], ['*'], ['*']), { resourceRequest: false, path: '/healthz' }, false],
    ['URL exact', urls(['get'], ['/healthz']), { resourceRequest: false, path: '/healthz' }, true],
    ['URL other', urls(['get'], ['/healthz']), { resourceRequest: false, path: '/version' }, false],
    ['URL trailing *', urls(['get'], ['/apis/*']), { resourceRequest: false, path: '/apis/apps/v1' }, true],
    ['URL trailing * is a prefix, not a segment', urls(['get'], ['/api*']), { resourceRequest: false, path: '/apis' }, true],
    ['URL *', urls(['*'], ['*']), { resourceRequest: false, verb: 'post', path: '/anything' }, true],
    ['URL rule never matches a resource', urls(['get'], ['*']), {}, false],
    ['URL verb mismatch', urls(['get'], ['/healthz']), { resourceRequest: false, verb: 'post', path: '/healthz' }, false],
  ];
  for (const [name, rule, attrs, want] of cases) assert.equal(ruleAllows(req(attrs), rule), want, name);
});

test('subjects match users, groups and service accounts', () => {
  const sa = { name: 'system:serviceaccount:ns1:robot', groups: ['system:serviceaccounts'] };
  assert.equal(subjectMatches({ kind: 'User', name: 'alice' }, user, ''), true);
  assert.equal(subjectMatches({ kind: 'User', name: 'bob' }, user, ''), false);
  assert.equal(subjectMatches({ kind: 'Group', name: 'devs' }, user, ''), true);
  assert.equal(subjectMatches({ kind: 'ServiceAccount', name: 'robot', namespace: 'ns1' }, sa, ''), true);
  assert.equal(subjectMatches({ kind: 'ServiceAccount', name: 'robot' }, sa, 'ns1'), true, 'namespace defaults to the binding');
  assert.equal(subjectMatches({ kind: 'ServiceAccount', name: 'robot' }, sa, ''), false, 'no namespace at all matches nobody');
  assert.equal(subjectMatches({ kind: 'ServiceAccount', name: 'robot', namespace: 'ns2' }, sa, 'ns1'), false);
});
