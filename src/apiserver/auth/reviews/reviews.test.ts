import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthorizationAttributes, Authorizer, RuleResolver } from '../authorizer.js';
import { startReviewServer } from './testing/review-server.js';
import { NO_RULE_RESOLVER } from './rules-review.js';

const AZ = '/apis/authorization.k8s.io/v1';
const alice = { name: 'alice', groups: ['devs', 'system:authenticated'] };

type Answer = Awaited<ReturnType<Authorizer['authorize']>>;

/** An authorizer that records what it was asked and answers with `decide`. */
function recording(decide: (a: AuthorizationAttributes) => Answer): Authorizer & { asked: AuthorizationAttributes[] } {
  const asked: AuthorizationAttributes[] = [];
  return {
    asked,
    authorize(a) {
      asked.push(a);
      return decide(a);
    },
  };
}

const review = (kind: string, spec: unknown, metadata: unknown = { creationTimestamp: null }) => ({
  apiVersion: 'authorization.k8s.io/v1',
  kind,
  metadata,
  spec,
});

test('SelfSubjectAccessReview asks about the requester and answers 201 with allowed, denied and reason', async () => {
  const z = recording((a) =>
    a.verb === 'create'
      ? { decision: 'allow', reason: '' }
      : a.verb === 'delete'
        ? { decision: 'deny', reason: 'not on fridays' }
        : { decision: 'no-opinion', reason: '', evaluationError: 'rbac: role "x" not found' },
  );
  const srv = await startReviewServer({ authorizer: z, user: alice });
  try {
    const ra = { namespace: 'ns1', verb: 'create', resource: 'pods', subresource: 'exec' };
    const yes = await srv.post(`${AZ}/selfsubjectaccessreviews`, review('SelfSubjectAccessReview', { resourceAttributes: ra }));
    assert.equal(yes.status, 201);
    assert.deepEqual(yes.body['status'], { allowed: true });
    assert.deepEqual(yes.body['spec'], { resourceAttributes: ra });
    assert.equal(yes.body['kind'], 'SelfSubjectAccessReview');
    assert.deepEqual(z.asked[0], {
      user: alice,
      verb: 'create',
      resourceRequest: true,
      path: '',
      apiGroup: '',
      apiVersion: '*',
      resource: 'pods',
      subresource: 'exec',
      namespace: 'ns1',
      name: '',
    });
    const no = await srv.post(
      `${AZ}/selfsubjectaccessreviews`,
      review('SelfSubjectAccessReview', { resourceAttributes: { ...ra, verb: 'delete' } }),
    );
    assert.deepEqual(no.body['status'], { allowed: false, denied: true, reason: 'not on fridays' });
    const err = await srv.post(
      `${AZ}/selfsubjectaccessreviews`,
      review('SelfSubjectAccessReview', { resourceAttributes: { ...ra, verb: 'get' } }),
    );
    assert.deepEqual(err.body['status'], { allowed: false, evaluationError: 'rbac: role "x" not found' });
    const path = await srv.post(
      `${AZ}/selfsubjectaccessreviews`,
      review('SelfSubjectAccessReview', { nonResourceAttributes: { path: '/healthz', verb: 'get' } }),
    );
    assert.equal(path.status, 201);
    const last = z.asked.at(-1)!;
    assert.equal(last.resourceRequest, false);
    assert.equal(last.path, '/healthz');
    assert.equal(last.verb, 'get');
  } finally {
    await srv.close();
  }
});

test('an authorizer that throws gives allowed false with the error, not a 500', async () => {
  const z: Authorizer = {
    authorize() {
      throw new Error('policy store unavailable');
    },
  };
  const srv = await startReviewServer({ authorizer: z, user: alice });
  try {
    const r = await srv.post(
      `${AZ}/selfsubjectaccessreviews`,
      review('SelfSubjectAccessReview', { resourceAttributes: { verb: 'get', resource: 'pods' } }),
    );
    assert.equal(r.status, 201);
    assert.deepEqual(r.body['status'], { allowed: false, evaluationError: 'policy store unavailable' });
  } finally {
    await srv.close();
  }
});

test('bad self reviews are 422 Invalid naming the field, as upstream', async () => {
  const srv = await startReviewServer({ authorizer: recording(() => ({ decision: 'allow', reason: '' })), user: alice });
  try {
    const none = await srv.post(`${AZ}/selfsubjectaccessreviews`, review('SelfSubjectAccessReview', {}));
    assert.equal(none.status, 422);
    assert.equal(none.body['reason'], 'Invalid');
    assert.equal(
      none.body['message'],
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
    const both = await srv.post(
      `${AZ}/selfsubjectaccessreviews`,
      review('SelfSubjectAccessReview', { resourceAttributes: { verb: 'get' }, nonResourceAttributes: { path: '/x', verb: 'get' } }),
    );
    assert.equal(both.status, 422);
    const causes = (both.body['details'] as { causes: { field: string; message: string }[] }).causes;
    assert.deepEqual(
      causes.map((c) => c.field),
      ['spec.nonResourceAttributes'],
    );
    assert.match(causes[0]!.message, /cannot be specified in combination with resourceAttributes/);
    const named = await srv.post(
      `${AZ}/selfsubjectaccessreviews`,
      review('SelfSubjectAccessReview', { resourceAttributes: { verb: 'get' } }, { name: 'q' }),
    );
    assert.equal(named.status, 422);
    assert.match(String(named.body['message']), /metadata: Invalid value: .*must be empty/);
    const sel = await srv.post(
      `${AZ}/selfsubjectaccessreviews`,
      review('SelfSubjectAccessReview', {
        resourceAttributes: {
          verb: 'list',
          resource: 'pods',
          fieldSelector: { rawSelector: 'a=b', requirements: [{ key: 'a', operator: 'In', values: ['b'] }] },
          labelSelector: { requirements: [{ key: 'app', operator: 'In' }] },
        },
      }),
    );
    assert.equal(sel.status, 422);
    assert.deepEqual(
      (sel.body['details'] as { causes: { field: string }[] }).causes.map((c) => c.field),
      ['spec.resourceAttributes.fieldSelector.rawSelector', 'spec.resourceAttributes.labelSelector.requirements[0].values'],
    );
  } finally {
    await srv.close();
  }
});

test('bodies that are not reviews are 400s', async () => {
  const srv = await startReviewServer({ authorizer: recording(() => ({ decision: 'allow', reason: '' })), user: alice });
  try {
    const broken = await srv.post(`${AZ}/selfsubjectaccessreviews`, '{"spec": ');
    assert.equal(broken.status, 400);
    const wrongKind = await srv.post(
      `${AZ}/selfsubjectaccessreviews`,
      review('SubjectAccessReview', { resourceAttributes: { verb: 'get' } }),
    );
    assert.equal(wrongKind.status, 400);
    assert.match(String(wrongKind.body['message']), /does not match the expected kind \(SelfSubjectAccessReview\)/);
    const strict = await srv.post(
      `${AZ}/selfsubjectaccessreviews`,
      review('SelfSubjectAccessReview', { resourceAttributes: { verb: 'get', colour: 'red' } }),
      'fieldValidation=Strict',
    );
    assert.equal(strict.status, 400);
    assert.match(String(strict.body['message']), /strict decoding error: unknown field "spec.resourceAttributes.colour"/);
    const typed = await srv.post(`${AZ}/selfsubjectaccessreviews`, review('SelfSubjectAccessReview', { resourceAttributes: { verb: 7 } }));
    assert.equal(typed.status, 400);
    assert.match(String(typed.body['message']), /spec\.resourceAttributes\.verb/);
  } finally {
    await srv.close();
  }
});

test('SubjectAccessReview asks about exactly the user and groups of the spec', async () => {
  const z = recording((a) =>
    a.user.groups.includes('admins') ? { decision: 'allow', reason: 'admins may' } : { decision: 'no-opinion', reason: '' },
  );
  const srv = await startReviewServer({ authorizer: z, user: alice });
  try {
    const spec = {
      user: 'bob',
      uid: 'u-1',
      groups: ['admins'],
      extra: { scopes: ['a'] },
      resourceAttributes: { group: 'apps', version: 'v1', resource: 'deployments', verb: 'get', name: 'web', namespace: 'x' },
    };
    const r = await srv.post(`${AZ}/subjectaccessreviews`, review('SubjectAccessReview', spec));
    assert.equal(r.status, 201);
    assert.deepEqual(r.body['status'], { allowed: true, reason: 'admins may' });
    const a = z.asked[0]!;
    assert.deepEqual(a.user, { name: 'bob', uid: 'u-1', groups: ['admins'], extra: { scopes: ['a'] } });
    assert.equal(a.apiGroup, 'apps');
    assert.equal(a.apiVersion, 'v1');
    assert.equal(a.name, 'web');
    const groupsOnly = await srv.post(
      `${AZ}/subjectaccessreviews`,
      review('SubjectAccessReview', { groups: ['g'], nonResourceAttributes: { path: '/x', verb: 'get' } }),
    );
    assert.deepEqual(groupsOnly.body['status'], { allowed: false });
    assert.equal(z.asked[1]!.user.name, '');
    const nobody = await srv.post(`${AZ}/subjectaccessreviews`, review('SubjectAccessReview', { resourceAttributes: { verb: 'get' } }));
    assert.equal(nobody.status, 422);
    assert.equal(
      nobody.body['message'],
      'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified',
    );
  } finally {
    await srv.close();
  }
});

test('LocalSubjectAccessReview is held to the namespace of its URL', async () => {
  const z = recording(() => ({ decision: 'allow', reason: '' }));
  const srv = await startReviewServer({ authorizer: z, user: alice });
  try {
    const url = `${AZ}/namespaces/x/localsubjectaccessreviews`;
    const ok = await srv.post(
      url,
      review('LocalSubjectAccessReview', { user: 'bob', resourceAttributes: { namespace: 'x', verb: 'list', resource: 'pods' } }),
    );
    assert.equal(ok.status, 201);
    assert.equal((ok.body['metadata'] as { namespace: string }).namespace, 'x');
    assert.deepEqual(ok.body['status'], { allowed: true });
    assert.equal(z.asked[0]!.namespace, 'x');
    const other = await srv.post(
      url,
      review('LocalSubjectAccessReview', { user: 'bob', resourceAttributes: { namespace: 'y', verb: 'list', resource: 'pods' } }),
    );
    assert.equal(other.status, 422);
    assert.equal(
      other.body['message'],
      'LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "y": must match metadata.namespace',
    );
    const body = await srv.post(
      url,
      review('LocalSubjectAccessReview', { user: 'bob', resourceAttributes: { namespace: 'z' } }, { namespace: 'z' }),
    );
    assert.equal(body.status, 400);
    assert.match(String(body.body['message']), /namespace of the provided object does not match the namespace sent on the request/);
    const path = await srv.post(
      url,
      review('LocalSubjectAccessReview', { user: 'bob', nonResourceAttributes: { path: '/x', verb: 'get' } }),
    );
    assert.equal(path.status, 422);
    assert.match(String(path.body['message']), /spec.nonResourceAttributes: Invalid value: .*disallowed on this kind of request/);
    assert.equal(z.asked.length, 1);
  } finally {
    await srv.close();
  }
});

test('SelfSubjectRulesReview lists the resolver’s rules for the requester, and says when it cannot', async () => {
  const asked: { user: string; ns: string }[] = [];
  const resolver: RuleResolver = {
    rulesFor(user, ns) {
      asked.push({ user: user.name, ns });
      if (ns === 'broken') throw new Error('role "gone" not found');
      return {
        resourceRules: [
          { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: [] },
          { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'] },
        ],
        nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
        incomplete: false,
      };
    },
  };
  const z = recording(() => ({ decision: 'allow', reason: '' }));
  const srv = await startReviewServer({ authorizer: z, ruleResolver: resolver, user: alice });
  const bare = await startReviewServer({ authorizer: z, user: alice });
  try {
    const url = `${AZ}/selfsubjectrulesreviews`;
    const r = await srv.post(url, review('SelfSubjectRulesReview', { namespace: 'ns1' }));
    assert.equal(r.status, 201);
    assert.deepEqual(r.body, {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      metadata: { creationTimestamp: null },
      spec: {},
      status: {
        resourceRules: [
          { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] },
          { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'] },
        ],
        nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
        incomplete: false,
      },
    });
    assert.deepEqual(asked, [{ user: 'alice', ns: 'ns1' }]);
    const broken = await srv.post(url, review('SelfSubjectRulesReview', { namespace: 'broken' }));
    assert.deepEqual(broken.body['status'], {
      resourceRules: [],
      nonResourceRules: [],
      incomplete: true,
      evaluationError: 'role "gone" not found',
    });
    const none = await bare.post(url, review('SelfSubjectRulesReview', { namespace: 'ns1' }));
    assert.equal(none.status, 201);
    assert.deepEqual(none.body['status'], { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: NO_RULE_RESOLVER });
    const noNs = await srv.post(url, review('SelfSubjectRulesReview', {}));
    assert.equal(noNs.status, 400);
    assert.equal(noNs.body['message'], 'no namespace on request');
  } finally {
    await srv.close();
    await bare.close();
  }
});
