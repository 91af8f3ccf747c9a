import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../api/gen/types.js';
import type { RestClient } from '../../../client/rest-client.js';
import type { Handle, VolumeLookup } from '../../framework/interfaces.js';
import { info, mkNode, mkNodeInfo, mkPod, passing, runFilter } from '../../testing/fixtures.js';
import { create, REASON_AFFINITY, REASON_NO_ROOT, REASON_UNBOUND_IMMEDIATE } from './volume-binding.js';

const claim = (
  name: string,
  o: { volumeName?: string; className?: string; annotations?: Record<string, string> } = {},
): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(o.annotations ? { annotations: o.annotations } : {}) },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1Gi' } },
    storageClassName: o.className ?? 'local-path',
    ...(o.volumeName ? { volumeName: o.volumeName } : {}),
  },
});
const volumeOn = (name: string, node: string): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: {
    capacity: { storage: '1Gi' },
    accessModes: ['ReadWriteOnce'],
    hostPath: { path: `/data/${name}` },
    nodeAffinity: {
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] },
    },
  },
});
const sc = (name: string, provisioner: string, mode: string): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name },
  provisioner,
  volumeBindingMode: mode,
});

function lookup(claims: PersistentVolumeClaim[], volumes: PersistentVolume[], classes: StorageClass[]): VolumeLookup {
  return {
    claim: (_ns, name) => claims.find((c) => c.metadata.name === name),
    volume: (name) => volumes.find((v) => v.metadata.name === name),
    volumes: () => volumes,
    storageClass: (name) => classes.find((c) => c.metadata.name === name),
  };
}
const classes = [sc('local-path', 'tandem.dev/local-path', 'WaitForFirstConsumer'), sc('fast', 'example.com/fast', 'Immediate')];
const withRoot = (name: string) => {
  const n = mkNode(name);
  n.metadata.annotations = { 'tandem.dev/local-path-root': `/var/lib/tandem/volumes` };
  return mkNodeInfo(n);
};
const podWith = (...claims: string[]) =>
  info(mkPod('web', { spec: { volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) } }));
const handle = (l: VolumeLookup, client?: RestClient): Handle => ({
  runtimeClass: () => undefined,
  volumes: l,
  ...(client ? { client } : {}),
});

test('a pod without claims skips the plugin; a missing claim is unschedulable with upstream message', () => {
  const plugin = create({}, handle(lookup([], [], classes)));
  assert.equal(runFilter(plugin, info(mkPod('plain')), [withRoot('a')]).pre?.code, 'Skip');
  const r = runFilter(plugin, podWith('data'), [withRoot('a')]);
  assert.equal(r.pre?.code, 'UnschedulableAndUnresolvable');
  assert.deepEqual(r.pre?.reasons, ['persistentvolumeclaim "data" not found']);
});

test('an unbound claim of an Immediate class blocks scheduling', () => {
  const plugin = create({}, handle(lookup([claim('data', { className: 'fast' })], [], classes)));
  assert.deepEqual(runFilter(plugin, podWith('data'), [withRoot('a')]).pre?.reasons, [REASON_UNBOUND_IMMEDIATE]);
});

test("a bound claim's volume admits only the nodes of its node affinity", () => {
  const plugin = create({}, handle(lookup([claim('data', { volumeName: 'pv-b' })], [volumeOn('pv-b', 'b')], classes)));
  const r = runFilter(plugin, podWith('data'), [withRoot('a'), withRoot('b'), withRoot('c')]);
  assert.deepEqual(passing(r), ['b']);
  assert.deepEqual(r.filter.get('a')?.reasons, [REASON_AFFINITY]);
});

test('an unbound WaitForFirstConsumer local-path claim fits nodes with a volume root, and a selected node sticks', () => {
  const plugin = create({}, handle(lookup([claim('data')], [], classes)));
  const r = runFilter(plugin, podWith('data'), [withRoot('a'), mkNodeInfo(mkNode('bare')), withRoot('c')]);
  assert.deepEqual(passing(r), ['a', 'c']);
  assert.deepEqual(r.filter.get('bare')?.reasons, [REASON_NO_ROOT]);
  const placed = create({}, handle(lookup([claim('data', { annotations: { 'volume.kubernetes.io/selected-node': 'c' } })], [], classes)));
  assert.deepEqual(passing(runFilter(placed, podWith('data'), [withRoot('a'), withRoot('c')])), ['c']);
});

test('bind annotates WaitForFirstConsumer claims with the chosen node, then leaves binding the pod to the next binder', async () => {
  const patches: Array<{ ns: string; name: string; body: unknown }> = [];
  const client = {
    resource: () => ({
      namespace: (ns: string) => ({
        patch: async (name: string, body: unknown) => {
          patches.push({ ns, name, body });
          return {};
        },
      }),
    }),
  } as unknown as RestClient;
  const plugin = create({}, handle(lookup([claim('data')], [], classes), client));
  const pod = podWith('data');
  const r = runFilter(plugin, pod, [withRoot('a')]);
  const s = await plugin.bind(r.state, pod, 'a');
  assert.equal(s?.code, 'Skip');
  assert.deepEqual(patches, [
    { ns: 'default', name: 'data', body: { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'a' } } } },
  ]);
});
