import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubernetesProtobuf } from './decode.js';
import { isStatusError } from '../../base/errors.js';
import { envelope, newObjectMeta, pw } from './testing/proto-writer.js';

// Bodies captured from the real kubectl v1.32.4 (`kubectl create ...` against a recording HTTP server).
const captured = {
  namespace: 'azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhkKEQoBeBIAGgAiACoAMgA4AEIAEgAaAgoAGgAiAA==',
  configmap: 'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEhsKEQoBYxIAGgAiACoAMgA4AEIAEgYKAWESAWIaACIA',
  secret: 'azhzAAoMCgJ2MRIGU2VjcmV0Eh0KEQoBcxIAGgAiACoAMgA4AEIAEgYKAWsSAXYaABoAIgA=',
  deployment:
    'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EqsBCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEnoIAhIMCgoKA2FwcBIDd2ViGmAKHAoAEgAaACIAKgAyADgAQgBaCgoDYXBwEgN3ZWISQBIiCgVuZ2lueBIFbmdpbngqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==',
  service:
    'azhzAAoNCgJ2MRIHU2VydmljZRJjChsKAXMSABoAIgAqADIAOABCAFoICgNhcHASAXMSQAobCgc4MC04MDgwEgNUQ1AYUCIHCAAQkD8aACgAEggKA2FwcBIBcxoAIglDbHVzdGVySVA6AEIAUgBaAGAAaAAaAgoAGgAiAA==',
  job: 'azhzAAoPCghiYXRjaC92MRIDSm9iEngKEQoBahIAGgAiACoAMgA4AEIAElkyVwoQCgASABoAIgAqADIAOABCABJDEiAKAWoSB2J1c3lib3gqAEIAagByAIABAIgBAJABAKIBABoFTmV2ZXIyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBABoIIAAoADAAOgAaACIA',
  serviceaccount: 'azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSFAoSCgJzYRIAGgAiACoAMgA4AEIAGgAiAA==',
};
const cap = (k: keyof typeof captured) => decodeKubernetesProtobuf(Buffer.from(captured[k], 'base64'));

test('kubectl create namespace x (captured)', () => {
  const d = cap('namespace');
  assert.equal(d.apiVersion, 'v1');
  assert.equal(d.kind, 'Namespace');
  // Empty non-pointer strings, generation 0 and the zero creationTimestamp are dropped, as in Go's JSON.
  assert.deepEqual(d.object, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' }, spec: {}, status: {} });
});

test('kubectl create configmap c --from-literal=a=b (captured)', () => {
  assert.deepEqual(cap('configmap').object, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });
});

test('kubectl create secret generic s --from-literal=k=v (captured): bytes become base64', () => {
  assert.deepEqual(cap('secret').object, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'dg==' } });
});

test('kubectl create deployment web --image=nginx --replicas=2 (captured)', () => {
  assert.deepEqual(cap('deployment').object, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: {},
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] } },
    },
    status: {},
  });
});

test('kubectl create service clusterip s --tcp=80:8080 (captured): IntOrString targetPort', () => {
  assert.deepEqual(cap('service').object, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', labels: { app: 's' } },
    spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 's' }, type: 'ClusterIP' },
    status: { loadBalancer: {} },
  });
});

test('kubectl create job j --image=busybox (captured)', () => {
  assert.deepEqual(cap('job').object, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j' },
    spec: { template: { metadata: {}, spec: { containers: [{ name: 'j', image: 'busybox', resources: {} }], restartPolicy: 'Never' } } },
    status: {},
  });
});

test('kubectl create serviceaccount sa (captured)', () => {
  assert.deepEqual(cap('serviceaccount').object, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } });
});

test('hand-encoded secret with stringData, type and a non-UTF-8 byte value', () => {
  const secret = pw()
    .message(1, newObjectMeta('s'))
    .message(2, pw().string(1, 'bin').bytes(2, [0xff, 0x00, 0x80]))
    .string(3, 'Opaque')
    .entry(4, 'plain', 'text')
    .bool(5, false);
  const d = decodeKubernetesProtobuf(envelope('v1', 'Secret', secret));
  assert.deepEqual(d.object, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    data: { bin: '/wCA' },
    type: 'Opaque',
    stringData: { plain: 'text' },
    immutable: false,
  });
});

test('pointer fields keep explicit zero values; string IntOrString; Quantity maps; inline volume source', () => {
  const container = pw()
    .string(1, 'c')
    .string(2, 'img')
    .message(
      8,
      pw()
        .message(1, pw().string(1, 'cpu').message(2, pw().string(1, '500m')))
        .message(2, pw().string(1, 'memory').message(2, pw().string(1, '64Mi'))),
    )
    .message(6, pw().string(1, 'http').int(3, 8080).string(4, 'TCP'))
    .message(
      11,
      pw()
        .message(1, pw().message(2, pw().message(2, pw().int(1, 1).string(3, 'http'))))
        .int(4, 0),
    );
  const volume = pw()
    .string(1, 'cfg')
    .message(2, pw().message(19, pw().message(1, pw().string(1, 'my-config')).int(3, 420)));
  const podSpec = pw().message(1, volume).message(2, container).bool(21, false).int(4, 30);
  const template = pw()
    .message(1, newObjectMeta('', { app: 'web' }))
    .message(2, podSpec);
  const spec = pw().int(1, 0).message(3, template).int(6, 10);
  const d = decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', pw().message(1, newObjectMeta('web')).message(2, spec)));
  const s = d.object.spec as Record<string, unknown>;
  assert.equal(s.replicas, 0);
  assert.equal(s.revisionHistoryLimit, 10);
  assert.deepEqual(s.template, {
    metadata: { labels: { app: 'web' } },
    spec: {
      volumes: [{ name: 'cfg', configMap: { name: 'my-config', defaultMode: 420 } }],
      containers: [
        {
          name: 'c',
          image: 'img',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } },
          readinessProbe: { httpGet: { port: 'http' } },
        },
      ],
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 30,
    },
  });
});

test('Time and MicroTime: whole seconds vs six fractional digits; zero time omitted', () => {
  const meta = pw().string(1, 'node-1').string(3, 'kube-node-lease').message(8, pw().int(1, 1704067200).int(2, 123)).message(9, pw());
  const lease = pw()
    .message(1, meta)
    .message(
      2,
      pw().string(1, 'node-1').int(2, 40).message(4, pw().int(1, 1704067201).int(2, 564_123_999)).message(3, pw().int(1, 1704067200)),
    );
  const d = decodeKubernetesProtobuf(envelope('coordination.k8s.io/v1', 'Lease', lease));
  assert.deepEqual(d.object.metadata, { name: 'node-1', namespace: 'kube-node-lease', creationTimestamp: '2024-01-01T00:00:00Z' });
  assert.deepEqual(d.object.spec, {
    holderIdentity: 'node-1',
    leaseDurationSeconds: 40,
    renewTime: '2024-01-01T00:00:01.564123Z',
    acquireTime: '2024-01-01T00:00:00.000000Z',
  });
});

test('repeated scalars packed or not; negative int64; unknown fields skipped; DeleteOptions in any group', () => {
  const ports = pw()
    .string(1, 'p')
    .tag(99, 0)
    .varint(7)
    .tag(98, 5)
    .raw([1, 2, 3, 4])
    .tag(97, 1)
    .raw([1, 2, 3, 4, 5, 6, 7, 8])
    .string(96, 'junk');
  const rule = pw().string(1, 'c').string(2, 'In').tag(3, 2).varint(2).varint(1).varint(2).int(3, 3);
  const job = pw()
    .message(1, newObjectMeta('j').message(50, ports))
    .message(
      2,
      pw()
        .message(11, pw().message(1, pw().string(1, 'FailJob').message(2, rule)))
        .int(3, -5),
    );
  const d = decodeKubernetesProtobuf(envelope('batch/v1', 'Job', job));
  const spec = d.object.spec as Record<string, unknown>;
  assert.deepEqual(spec.podFailurePolicy, {
    rules: [{ action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [1, 2, 3] } }],
  });
  assert.equal(spec.activeDeadlineSeconds, -5);
  assert.deepEqual(d.object.metadata, { name: 'j' });

  const opts = pw().int(1, 0).string(4, 'Foreground').string(5, 'All').message(2, pw().string(1, 'u-1'));
  for (const gv of ['v1', 'meta.k8s.io/v1', 'apps/v1']) {
    const o = decodeKubernetesProtobuf(envelope(gv, 'DeleteOptions', opts)).object;
    assert.deepEqual(o, {
      apiVersion: gv,
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
      preconditions: { uid: 'u-1' },
    });
  }
});

test('an embedded JSON payload (contentType application/json) is accepted', () => {
  const body = envelope('v1', 'ConfigMap', new TextEncoder().encode('{"metadata":{"name":"j"},"data":{"x":"y"}}'), (w) =>
    w.string(4, 'application/json'),
  );
  assert.deepEqual(decodeKubernetesProtobuf(body).object, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'j' },
    data: { x: 'y' },
  });
});

function assert400(body: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => decodeKubernetesProtobuf(body),
    (e: unknown) => isStatusError(e) && e.code === 400 && e.reason === 'BadRequest' && pattern.test(e.message),
  );
}

test('missing or wrong magic → 400', () => {
  assert400(new Uint8Array(0), /magic/);
  assert400(new TextEncoder().encode('{"kind":"Namespace"}'), /magic/);
  assert400(Uint8Array.of(0x6b, 0x38, 0x73), /magic/);
});

test('every truncation of a real body → 400, never another error', () => {
  const full = Buffer.from(captured.deployment, 'base64');
  let failures = 0;
  for (let n = 4; n < full.length; n++) {
    try {
      decodeKubernetesProtobuf(full.subarray(0, n));
    } catch (e) {
      assert.ok(isStatusError(e) && e.code === 400, `cut at ${n}: ${String(e)}`);
      failures++;
    }
  }
  // A cut inside the envelope's raw field always fails; a few cuts land on a field boundary of the envelope.
  assert.ok(failures > full.length - 20, `only ${failures} truncations failed`);
});

test('garbled bodies → 400 only (deterministic fuzz)', () => {
  const base = Buffer.from(captured.service, 'base64');
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  for (let i = 0; i < 2000; i++) {
    const b = Uint8Array.from(base);
    for (let k = 0; k < 1 + (i % 4); k++) b[4 + (rnd() % (b.length - 4))] = rnd() & 0xff;
    try {
      decodeKubernetesProtobuf(b);
    } catch (e) {
      assert.ok(isStatusError(e) && e.code === 400, String(e));
    }
  }
});

test('specific malformations → 400 with a clear message', () => {
  assert400(envelope('v1', 'Frobnicator', pw()), /not supported for kind "Frobnicator"/);
  assert400(envelope('', '', pw()), /no apiVersion or kind/);
  assert400(
    envelope('v1', 'ConfigMap', pw(), (w) => w.string(3, 'gzip')),
    /content encoding/,
  );
  assert400(envelope('v1', 'ConfigMap', pw().int(1, 5)), /wrong wire type 0 for ConfigMap.metadata/);
  assert400(envelope('v1', 'ConfigMap', pw().tag(1, 2).varint(100).raw([1, 2])), /length exceeds/);
  assert400(envelope('v1', 'ConfigMap', pw().tag(1, 3)), /wire type 3/);
  assert400(envelope('v1', 'ConfigMap', pw().tag(0, 0).varint(1)), /field number 0/);
  assert400(envelope('v1', 'ConfigMap', pw().raw([0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), /varint/);
  assert400(envelope('v1', 'Namespace', pw().message(1, pw().int(7, 2n ** 60n))), /out of the supported range/);
  assert400(envelope('v1', 'Service', pw().message(2, pw().message(1, pw().message(4, pw().int(1, 7))))), /IntOrString type 7/);
  assert400(envelope('v1', 'Namespace', pw().message(1, pw().message(8, pw().int(1, 2n ** 50n)))), /Time out of range/);
});

test('a SubjectAccessReview: ExtraValue maps become lists of strings', () => {
  const spec = pw()
    .message(1, pw().string(1, 'ns').string(2, 'get').string(5, 'pods'))
    .string(3, 'bob')
    .string(4, 'devs')
    .string(4, 'ops')
    .message(5, pw().string(1, 'scopes').message(2, pw().string(1, 'a').string(1, 'b')));
  const d = decodeKubernetesProtobuf(envelope('authorization.k8s.io/v1', 'SubjectAccessReview', pw().message(1, pw()).message(2, spec)));
  assert.deepEqual(d.object, {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    metadata: {},
    spec: {
      resourceAttributes: { namespace: 'ns', verb: 'get', resource: 'pods' },
      user: 'bob',
      groups: ['devs', 'ops'],
      extra: { scopes: ['a', 'b'] },
    },
  });
});
