import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Json, JsonObject } from '../../api/object.js';
import { StatusError } from '../../base/errors.js';
import { applyStrategicMergePatch } from './strategic-merge.js';
import { DEPLOYMENT, NODE, lookup } from './testing/fixture.js';

function deploy(spec: JsonObject): JsonObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', labels: { app: 'nginx' } }, spec };
}
const pod = (podSpec: JsonObject, meta: JsonObject = { labels: { app: 'nginx' } }): JsonObject =>
  deploy({ replicas: 1, template: { metadata: meta, spec: podSpec } });
const smp = (orig: Json, patch: Json, root = DEPLOYMENT) => applyStrategicMergePatch(orig, patch, root, lookup);
const podSpecOf = (o: JsonObject): JsonObject => ((o['spec'] as JsonObject)['template'] as JsonObject)['spec'] as JsonObject;

interface Case {
  name: string;
  original: JsonObject;
  patch: Json;
  expectPodSpec?: JsonObject;
  expect?: (out: JsonObject) => void;
}

const nginx = { name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }] };
const sidecar = { name: 'log', image: 'busybox', args: ['tail'] };

const cases: Case[] = [
  {
    name: 'kubectl client-side apply: $setElementOrder + changed image, replicas',
    original: pod({ containers: [nginx] }),
    patch: {
      spec: {
        replicas: 3,
        template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.26', name: 'nginx' }] } },
      },
    },
    expect: (out) => {
      assert.equal((out['spec'] as JsonObject)['replicas'], 3);
      assert.deepEqual(podSpecOf(out), {
        containers: [{ name: 'nginx', image: 'nginx:1.26', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
      });
    },
  },
  {
    name: 'kubectl removal of a field inside a keyed list item: {"name":"nginx","ports":null}',
    original: pod({ containers: [nginx, sidecar] }),
    patch: {
      spec: {
        template: {
          spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'log' }], containers: [{ name: 'nginx', ports: null }] },
        },
      },
    },
    expectPodSpec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, sidecar] },
  },
  {
    name: 'kubectl rollout restart adds the restartedAt annotation, keeps the rest',
    original: pod({ containers: [nginx] }, { labels: { app: 'nginx' }, annotations: { keep: 'me' } }),
    patch: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-02T03:04:05Z' } } } } },
    expect: (out) => {
      const meta = ((out['spec'] as JsonObject)['template'] as JsonObject)['metadata'];
      assert.deepEqual(meta, {
        labels: { app: 'nginx' },
        annotations: { keep: 'me', 'kubectl.kubernetes.io/restartedAt': '2025-01-02T03:04:05Z' },
      });
    },
  },
  {
    name: 'merge key list: new item appended, existing item merged field by field, env merged by name',
    original: pod({
      containers: [
        {
          name: 'nginx',
          image: 'a',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ],
    }),
    patch: {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'nginx',
                env: [
                  { name: 'B', value: '3' },
                  { name: 'C', value: '4' },
                ],
              },
              { name: 'new', image: 'x' },
            ],
          },
        },
      },
    },
    expectPodSpec: {
      containers: [
        {
          name: 'nginx',
          image: 'a',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '3' },
            { name: 'C', value: '4' },
          ],
        },
        { name: 'new', image: 'x' },
      ],
    },
  },
  {
    name: '$patch: delete list item removes it by merge key',
    original: pod({ containers: [nginx, sidecar] }),
    patch: { spec: { template: { spec: { containers: [{ name: 'log', $patch: 'delete' }] } } } },
    expectPodSpec: { containers: [nginx] },
  },
  {
    name: '{"$patch":"replace"} list element replaces the whole list',
    original: pod({ containers: [nginx, sidecar] }),
    patch: { spec: { template: { spec: { containers: [{ name: 'only', image: 'i' }, { $patch: 'replace' }] } } } },
    expectPodSpec: { containers: [{ name: 'only', image: 'i' }] },
  },
  {
    name: '$patch: replace on a map replaces it (directive removed)',
    original: pod({ containers: [nginx], nodeSelector: { a: '1', b: '2' } }),
    patch: { spec: { template: { spec: { nodeSelector: { $patch: 'replace', c: '3' } } } } },
    expectPodSpec: { containers: [nginx], nodeSelector: { c: '3' } },
  },
  {
    name: '$patch: delete on a map empties it',
    original: pod({ containers: [nginx], nodeSelector: { a: '1' } }),
    patch: { spec: { template: { spec: { nodeSelector: { $patch: 'delete' } } } } },
    expectPodSpec: { containers: [nginx], nodeSelector: {} },
  },
  {
    name: 'maps without strategy merge key by key (nodeSelector), null deletes a key',
    original: pod({ containers: [nginx], nodeSelector: { a: '1', b: '2' } }),
    patch: { spec: { template: { spec: { nodeSelector: { a: null, c: '3' } } } } },
    expectPodSpec: { containers: [nginx], nodeSelector: { b: '2', c: '3' } },
  },
  {
    name: '$setElementOrder reorders; unnamed server items keep their relative place',
    original: pod({ containers: [{ name: 'x' }, { name: 'a' }, { name: 'b' }] }),
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } } } },
    expectPodSpec: { containers: [{ name: 'x' }, { name: 'b' }, { name: 'a' }] },
  },
  {
    name: '$setElementOrder places new items per the order',
    original: pod({ containers: [{ name: 'a' }, { name: 'b' }] }),
    patch: {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'new' }, { name: 'a' }, { name: 'b' }],
            containers: [{ name: 'new', image: 'n' }],
          },
        },
      },
    },
    expectPodSpec: { containers: [{ name: 'new', image: 'n' }, { name: 'a' }, { name: 'b' }] },
  },
  {
    name: '$retainKeys on a volume drops the old source (PodSpec.volumes: merge,retainKeys)',
    original: pod({
      containers: [nginx],
      volumes: [
        { name: 'v', configMap: { name: 'cm' } },
        { name: 'w', emptyDir: {} },
      ],
    }),
    patch: { spec: { template: { spec: { volumes: [{ name: 'v', emptyDir: {}, $retainKeys: ['emptyDir', 'name'] }] } } } },
    expectPodSpec: {
      containers: [nginx],
      volumes: [
        { name: 'v', emptyDir: {} },
        { name: 'w', emptyDir: {} },
      ],
    },
  },
  {
    name: '$retainKeys on DeploymentSpec.strategy (retainKeys) drops rollingUpdate',
    original: deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } }),
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    expect: (out) => assert.deepEqual((out['spec'] as JsonObject)['strategy'], { type: 'Recreate' }),
  },
  {
    name: 'atomic list (tolerations) is replaced whole',
    original: pod({
      containers: [nginx],
      tolerations: [
        { key: 'a', operator: 'Exists' },
        { key: 'b', operator: 'Exists' },
      ],
    }),
    patch: { spec: { template: { spec: { tolerations: [{ key: 'c', operator: 'Exists' }] } } } },
    expectPodSpec: { containers: [nginx], tolerations: [{ key: 'c', operator: 'Exists' }] },
  },
  {
    name: 'atomic primitive list (args) is replaced whole',
    original: pod({ containers: [sidecar] }),
    patch: { spec: { template: { spec: { containers: [{ name: 'log', args: ['a', 'b'] }] } } } },
    expectPodSpec: { containers: [{ ...sidecar, args: ['a', 'b'] }] },
  },
  {
    name: 'merge key on ports is containerPort',
    original: pod({ containers: [{ name: 'n', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }] }] }),
    patch: { spec: { template: { spec: { containers: [{ name: 'n', ports: [{ containerPort: 443, name: 'https' }] }] } } } },
    expectPodSpec: {
      containers: [
        {
          name: 'n',
          ports: [
            { containerPort: 80, protocol: 'TCP' },
            { containerPort: 443, name: 'https' },
          ],
        },
      ],
    },
  },
];

for (const c of cases) {
  test(`smp: ${c.name}`, () => {
    const before = structuredClone(c.original);
    const out = smp(c.original, c.patch);
    assert.deepEqual(c.original, before, 'original must not be modified');
    if (c.expectPodSpec) assert.deepEqual(podSpecOf(out), c.expectPodSpec);
    c.expect?.(out);
  });
}

test('smp: primitive list with merge strategy (finalizers) is a de-duplicated union', () => {
  const out = smp({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { finalizers: ['b', 'c'] } });
  assert.deepEqual((out['metadata'] as JsonObject)['finalizers'], ['a', 'b', 'c']);
});

test('smp: $deleteFromPrimitiveList removes values from a primitive list', () => {
  const out = smp({ metadata: { finalizers: ['a', 'b', 'c'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } });
  assert.deepEqual(out['metadata'], { finalizers: ['a', 'c'] });
});

test('smp: $setElementOrder on a primitive list', () => {
  const out = smp(
    { metadata: { finalizers: ['a', 'b'] } },
    { metadata: { '$setElementOrder/finalizers': ['c', 'b', 'a'], finalizers: ['c'] } },
  );
  assert.deepEqual((out['metadata'] as JsonObject)['finalizers'], ['c', 'b', 'a']);
});

test('smp: ownerReferences merge by uid', () => {
  const out = smp(
    { metadata: { ownerReferences: [{ uid: '1', name: 'a' }] } },
    {
      metadata: {
        ownerReferences: [
          { uid: '2', name: 'b' },
          { uid: '1', controller: true },
        ],
      },
    },
  );
  assert.deepEqual((out['metadata'] as JsonObject)['ownerReferences'], [
    { uid: '1', name: 'a', controller: true },
    { uid: '2', name: 'b' },
  ]);
});

test('smp: cordon and uncordon a node', () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24' } };
  const cordoned = smp(node, { spec: { unschedulable: true } }, NODE);
  assert.deepEqual(cordoned['spec'], { podCIDR: '10.0.0.0/24', unschedulable: true });
  const uncordoned = smp(cordoned, { spec: { unschedulable: null } }, NODE);
  assert.deepEqual(uncordoned['spec'], { podCIDR: '10.0.0.0/24' });
});

test('smp: a field without schema info merges objects like maps and replaces lists', () => {
  const out = smp(
    { spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'E', valueFrom: { a: { x: 1, y: [1, 2] } } }] }] } } } },
    { spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'E', valueFrom: { a: { y: [3], z: true } } }] }] } } } },
  );
  assert.deepEqual(podSpecOf(out)['containers'], [{ name: 'c', env: [{ name: 'E', valueFrom: { a: { x: 1, y: [3], z: true } } }] }]);
  const unknown = smp({ x: { a: 1, l: [1, 2] } }, { x: { b: 2, l: [3] } }, 'io.k8s.Unknown');
  assert.deepEqual(unknown, { x: { a: 1, b: 2, l: [3] } });
});

test('smp: new keyed item is stored without directives or nulls', () => {
  const out = smp(pod({ containers: [] }), {
    spec: { template: { spec: { containers: [{ name: 'c', image: null, env: [{ name: 'A', value: '1' }] }] } } },
  });
  assert.deepEqual(podSpecOf(out), { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }] }] });
});

test('smp: errors are 400s that name the path and rule', () => {
  const expect400 = (patch: Json, re: RegExp) =>
    assert.throws(
      () => smp(pod({ containers: [nginx] }), patch),
      (e: unknown) => {
        assert.ok(e instanceof StatusError);
        assert.equal(e.code, 400);
        assert.match(e.message, re);
        return true;
      },
    );
  expect400(
    { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
    /\.spec\.template\.spec\.containers\[0\]: .*merge key "name"/,
  );
  expect400({ spec: { $patch: 'explode' } }, /\.spec: unknown \$patch directive "explode"/);
  expect400({ metadata: { $retainKeys: 'x' } }, /\$retainKeys must be a list/);
  expect400([1, 2], /must be a JSON object/);
});

test('smp: many keyed items merge in linear time', () => {
  const n = 5000;
  const containers = Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'a' }));
  const patch = {
    spec: { template: { spec: { containers: Array.from({ length: n }, (_, i) => ({ name: `c${n - 1 - i}`, image: 'b' })) } } },
  };
  const out = smp(pod({ containers }), patch);
  const list = podSpecOf(out)['containers'] as JsonObject[];
  assert.equal(list.length, n);
  assert.deepEqual(list[0], { name: 'c0', image: 'b' });
  assert.deepEqual(list[n - 1], { name: `c${n - 1}`, image: 'b' });
});
