import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, LimitRange, LimitRangeItem, PersistentVolumeClaim, Pod } from '../../api/gen/types.js';
import { defaultLimitRange } from '../../api/kinds/core/limit-range.js';
import { kindByResource } from '../../api/kinds/index.js';
import type { AnyObject } from '../../api/object.js';
import { isStatusError } from '../../base/errors.js';
import { createMemoryBackend } from '../../storage/memory/memory-backend.js';
import type { AdmissionPlugin, AdmissionRequest } from './plugin.js';
import { aggregate, applyLimitRangeDefaults, claimLimitViolations, createLimitRanger, podLimitViolations } from './limit-ranger.js';

const run = async (p: AdmissionPlugin, r: AdmissionRequest) => {
  await p.validate?.(r);
};

const range = (...limits: LimitRangeItem[]): LimitRange => {
  const lr: LimitRange = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'ns' }, spec: { limits } };
  defaultLimitRange(lr);
  return lr;
};
const pod = (...containers: Container[]): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns' },
  spec: { containers },
  status: { phase: 'Pending', qosClass: 'BestEffort' },
});

test('Container defaults fill missing requests and limits, recorded in the annotation; QoS follows', () => {
  const lr = range({ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' } });
  const p = pod(
    { name: 'a', image: 'i' },
    { name: 'b', image: 'i', resources: { limits: { memory: '1Gi' }, requests: { memory: '1Gi' } } },
  );
  assert.ok(applyLimitRangeDefaults(p, [lr]));
  assert.deepEqual(p.spec?.containers[0]?.resources, {
    limits: { cpu: '500m', memory: '256Mi' },
    requests: { cpu: '100m', memory: '256Mi' },
  });
  assert.deepEqual(p.spec?.containers[1]?.resources, { limits: { memory: '1Gi', cpu: '500m' }, requests: { memory: '1Gi', cpu: '100m' } });
  assert.equal(
    p.metadata.annotations?.['kubernetes.io/limit-ranger'],
    'LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a; cpu request for container b; cpu limit for container b',
  );
  assert.equal(p.status?.qosClass, 'Burstable');
  assert.equal(applyLimitRangeDefaults(pod({ name: 'a', image: 'i' }), [range({ type: 'Pod', max: { cpu: '1' } })]), false);
});

test('min, max and ratio violations in upstream words', () => {
  const lr = range({ type: 'Container', min: { cpu: '100m' }, max: { memory: '1Gi' }, maxLimitRequestRatio: { cpu: '2' } });
  const low = pod({
    name: 'c',
    image: 'i',
    resources: { requests: { cpu: '50m', memory: '2Gi' }, limits: { cpu: '200m', memory: '2Gi' } },
  });
  assert.deepEqual(podLimitViolations(low, [lr]), [
    'minimum cpu usage per Container is 100m, but request is 50m',
    'maximum memory usage per Container is 1Gi, but limit is 2Gi',
    'cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000',
  ]);
  const none = pod({ name: 'c', image: 'i' });
  assert.deepEqual(podLimitViolations(none, [range({ type: 'Pod', min: { cpu: '1' }, max: { memory: '1Gi' } })]), [
    'minimum cpu usage per Pod is 1.  No request is specified',
    'maximum memory usage per Pod is 1Gi.  No limit is specified',
  ]);
  const two = pod(
    { name: 'a', image: 'i', resources: { requests: { cpu: '600m' }, limits: { cpu: '600m' } } },
    { name: 'b', image: 'i', resources: { requests: { cpu: '600m' }, limits: { cpu: '600m' } } },
  );
  assert.deepEqual(podLimitViolations(two, [range({ type: 'Pod', max: { cpu: '1' } })]), [
    'maximum cpu usage per Pod is 1, but limit is 1200m',
  ]);
  assert.equal(aggregate(['a']), 'a');
  assert.equal(aggregate(['a', 'b', 'a']), '[a, b]');
});

test('claims: storage request within min and max', () => {
  const lr = range({ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } });
  const claim = (storage: string): PersistentVolumeClaim => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'c', namespace: 'ns' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  });
  assert.deepEqual(claimLimitViolations(claim('500Mi'), [lr]), [
    'minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
  ]);
  assert.deepEqual(claimLimitViolations(claim('20Gi'), [lr]), [
    'maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
  ]);
  assert.deepEqual(claimLimitViolations(claim('5Gi'), [lr]), []);
});

test('the plugin reads the namespace ranges from the store: defaults on create, a 403 for a violation', async () => {
  const b = createMemoryBackend();
  await b.create(
    '/registry/core/limitranges/ns/lr',
    JSON.stringify(range({ type: 'Container', min: { cpu: '100m' }, defaultRequest: { cpu: '200m' } })),
  );
  const plugin = createLimitRanger(b);
  const r = (p: Pod): AdmissionRequest => ({
    operation: 'CREATE',
    kind: kindByResource('', 'v1', 'pods')!,
    subresource: undefined,
    namespace: 'ns',
    name: 'p',
    object: p as unknown as AnyObject,
    oldObject: undefined,
    user: { name: 'u', groups: [] },
    dryRun: false,
    warn: () => undefined,
  });
  const ok = pod({ name: 'c', image: 'i' });
  assert.equal(await plugin.mutate!(r(ok)), true);
  assert.equal(ok.spec?.containers[0]?.resources?.requests?.['cpu'], '200m');
  await run(plugin, r(ok));
  const bad = pod({ name: 'c', image: 'i', resources: { requests: { cpu: '50m' } } });
  await plugin.mutate!(r(bad));
  await assert.rejects(run(plugin, r(bad)), (e) => {
    assert.ok(isStatusError(e));
    assert.equal(e.code, 403);
    assert.equal(e.message, 'pods "p" is forbidden: minimum cpu usage per Container is 100m, but request is 50m');
    return true;
  });
});
