import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ServiceAccount } from '../../api/gen/types.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { configMapKind } from '../../api/kinds/core/configmap.js';
import type { AnyObject } from '../../api/object.js';
import { isStatusError } from '../../base/errors.js';
import { adminUser } from '../auth/user.js';
import type { AdmissionRequest } from './plugin.js';
import { apiAccessVolume, createServiceAccountAdmission, SERVICE_ACCOUNT_MOUNT_PATH } from './service-account.js';

const sa = (name: string, extra: Partial<ServiceAccount> = {}): ServiceAccount => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace: 'team' },
  ...extra,
});

function plugin(accounts: Record<string, ServiceAccount>, opts: { attempts?: number; lookups?: string[] } = {}) {
  return createServiceAccountAdmission({
    lookup: async (ns, name) => {
      opts.lookups?.push(`${ns}/${name}`);
      return accounts[`${ns}/${name}`];
    },
    suffix: () => 'abcde',
    retryDelayMs: () => 1,
    ...(opts.attempts !== undefined ? { defaultAttempts: opts.attempts } : {}),
  });
}

const pod = (spec: Partial<Pod['spec']> = {}, annotations?: Record<string, string>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'team', ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

const req = (o: Pod | AnyObject, over: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  operation: 'CREATE',
  kind: podKind,
  subresource: undefined,
  namespace: 'team',
  name: o.metadata.name ?? '',
  object: o as unknown as AnyObject,
  oldObject: undefined,
  user: adminUser(),
  dryRun: false,
  warn: () => undefined,
  ...over,
});

type Plugin = ReturnType<typeof createServiceAccountAdmission>;
const admit = async (p: Plugin, r: AdmissionRequest): Promise<boolean> => await p.mutate!(r);

const expectedMount = { name: 'kube-api-access-abcde', readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH };

test('a pod without an account gets default and the kube-api-access volume, mounted in every container', async () => {
  const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'a' }, { name: 'b' }] });
  const changed = await admit(plugin({ 'team/default': sa('default') }), req(p));
  assert.equal(changed, true);
  assert.equal(p.spec?.serviceAccountName, 'default');
  assert.equal(p.spec?.serviceAccount, 'default');
  assert.deepEqual(p.spec?.volumes, [
    {
      name: 'kube-api-access-abcde',
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    },
  ]);
  for (const c of [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])])
    assert.deepEqual(c.volumeMounts, [expectedMount], c.name);
});

test('a named account that does not exist is refused with upstream 403 text, looked up once', async () => {
  const lookups: string[] = [];
  const p = pod({ serviceAccountName: 'robot' });
  await assert.rejects(admit(plugin({ 'team/default': sa('default') }, { lookups }), req(p)), (e: unknown) => {
    assert.ok(isStatusError(e));
    assert.equal(e.code, 403);
    assert.equal(e.message, 'pods "web" is forbidden: error looking up service account team/robot: serviceaccount "robot" not found');
    return true;
  });
  assert.deepEqual(lookups, ['team/robot']);
});

test('a missing default is looked up again before the pod is refused (the controller may be a moment behind)', async () => {
  const lookups: string[] = [];
  await assert.rejects(admit(plugin({}, { lookups, attempts: 4 }), req(pod())), /serviceaccount "default" not found/);
  assert.equal(lookups.length, 4);
  // and it is found when it appears during the retries
  const accounts: Record<string, ServiceAccount> = {};
  let calls = 0;
  const p = createServiceAccountAdmission({
    lookup: async (ns, n) => {
      if (++calls === 3) accounts['team/default'] = sa('default');
      return accounts[`${ns}/${n}`];
    },
    retryDelayMs: () => 1,
  });
  const obj = pod();
  assert.equal(await admit(p, req(obj)), true);
  assert.equal(calls, 3);
});

test('automountServiceAccountToken false on the pod wins over the account, and the account decides when the pod is silent', async () => {
  const accounts = { 'team/default': sa('default'), 'team/quiet': sa('quiet', { automountServiceAccountToken: false }) };
  const off = pod({ automountServiceAccountToken: false });
  await admit(plugin(accounts), req(off));
  assert.equal(off.spec?.volumes, undefined);
  assert.equal(off.spec?.containers[0]?.volumeMounts, undefined);

  const silent = pod({ serviceAccountName: 'quiet' });
  assert.equal(await admit(plugin(accounts), req(silent)), true, 'serviceAccount (the old field) was set');
  assert.equal(silent.spec?.volumes, undefined);

  const podSaysYes = pod({ serviceAccountName: 'quiet', automountServiceAccountToken: true });
  await admit(plugin(accounts), req(podSaysYes));
  assert.equal(podSaysYes.spec?.volumes?.[0]?.name, 'kube-api-access-abcde');
});

test('a container that already mounts the path keeps its mount; others get the volume', async () => {
  const p = pod({
    volumes: [{ name: 'mine', emptyDir: {} }],
    containers: [
      { name: 'own', volumeMounts: [{ name: 'mine', mountPath: SERVICE_ACCOUNT_MOUNT_PATH }] },
      { name: 'plain', volumeMounts: [{ name: 'mine', mountPath: '/data' }] },
    ],
  });
  await admit(plugin({ 'team/default': sa('default') }), req(p));
  assert.deepEqual(p.spec?.containers[0]?.volumeMounts, [{ name: 'mine', mountPath: SERVICE_ACCOUNT_MOUNT_PATH }]);
  assert.deepEqual(p.spec?.containers[1]?.volumeMounts, [{ name: 'mine', mountPath: '/data' }, expectedMount]);
  assert.deepEqual(
    p.spec?.volumes?.map((v) => v.name),
    ['mine', 'kube-api-access-abcde'],
  );

  // every container mounts something there already: no volume is added
  const all = pod({
    volumes: [{ name: 'mine', emptyDir: {} }],
    containers: [{ name: 'own', volumeMounts: [{ name: 'mine', mountPath: SERVICE_ACCOUNT_MOUNT_PATH }] }],
  });
  await admit(plugin({ 'team/default': sa('default') }), req(all));
  assert.deepEqual(
    all.spec?.volumes?.map((v) => v.name),
    ['mine'],
  );
});

test('an existing kube-api-access volume is reused, not duplicated', async () => {
  const p = pod({ volumes: [apiAccessVolume('kube-api-access-zzzzz')], containers: [{ name: 'c' }] });
  await admit(plugin({ 'team/default': sa('default') }), req(p));
  assert.equal(p.spec?.volumes?.length, 1);
  assert.equal(p.spec?.containers[0]?.volumeMounts?.[0]?.name, 'kube-api-access-zzzzz');
});

test('the account image pull secrets fill an empty list', async () => {
  const p = pod();
  await admit(plugin({ 'team/default': sa('default', { imagePullSecrets: [{ name: 'regcred' }] }) }), req(p));
  assert.deepEqual(p.spec?.imagePullSecrets, [{ name: 'regcred' }]);
});

test('only pod creates are touched; mirror pods keep their spec and may not name an account', async () => {
  const plug = plugin({ 'team/default': sa('default') });
  const p = pod();
  assert.equal(await admit(plug, req(p, { operation: 'UPDATE', oldObject: pod() as unknown as AnyObject })), false);
  assert.equal(await admit(plug, req(p, { subresource: 'status' })), false);
  const cm: AnyObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'team' } };
  assert.equal(await admit(plug, req(cm, { kind: configMapKind })), false);
  assert.equal(p.spec?.serviceAccountName, undefined);

  const mirror = pod({}, { 'kubernetes.io/config.mirror': 'abc' });
  assert.equal(await admit(plug, req(mirror)), false);
  assert.equal(mirror.spec?.serviceAccountName, undefined);
  const badMirror = pod({ serviceAccountName: 'default' }, { 'kubernetes.io/config.mirror': 'abc' });
  await assert.rejects(admit(plug, req(badMirror)), /a mirror pod may not reference service accounts/);
});
