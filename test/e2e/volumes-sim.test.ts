// Volumes on simulated nodes, end to end with the real kubectl: `tandem server` plus a `tandem sim`
// fleet of three Linux nodes. The default local-path class exists from the start; a pod with a
// claim of that class is scheduled, its claim provisioned on the pod's node and bound (the volume's
// node affinity names that node); bad claims are refused with a 422 naming the field; deleting the
// claim after the pod releases and removes the volume (the sim drops the cleanup finalizer).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kubectlAvailable } from './harness.js';
import { at, rows, SKIP_MESSAGE } from './kubectl-support.js';
import { eventually, startCluster, type Cluster } from './cluster-fleet.js';

let c: Cluster | undefined;
const cl = () => {
  if (!c) throw new Error('cluster not started');
  return c;
};

before(async () => {
  if (!kubectlAvailable()) return;
  c = await startCluster({}, [['--nodes', '3', '--os', 'linux', '--name-prefix', 'vol-']]);
});
after(async () => {
  await c?.stop();
});

const run = (fn: (t: { skip(m: string): void }) => Promise<void> | void) => async (t: { skip(m: string): void }) => {
  if (!kubectlAvailable()) {
    t.skip(SKIP_MESSAGE);
    return;
  }
  await fn(t);
};

const claim = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec });

test(
  'the default local-path class is there, with (default) after its name',
  run(() => {
    const out = cl().ok(['get', 'storageclass']).stdout;
    const r = rows(out).find((x) => x[0] === 'local-path');
    assert.deepEqual(r?.slice(0, 6), ['local-path', '(default)', 'tandem.dev/local-path', 'Delete', 'WaitForFirstConsumer', 'false'], out);
  }),
);

test(
  'bad claims are refused with a 422 naming the field',
  run(() => {
    const bad = (spec: Record<string, unknown>) => cl().srv.kubectl(['apply', '-f', '-'], { input: claim('bad', spec) });
    const zero = bad({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0' } } });
    assert.notEqual(zero.code, 0);
    assert.match(zero.stderr, /spec\.resources\[storage\]: Invalid value: "0": must be greater than zero/);
    const modes = bad({ accessModes: ['ReadWriteAlways'], resources: { requests: { storage: '1Gi' } } });
    assert.match(
      modes.stderr,
      /spec\.accessModes: Unsupported value: "ReadWriteAlways": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"/,
    );
    const none = bad({ resources: { requests: { storage: '1Gi' } } });
    assert.match(none.stderr, /spec\.accessModes: Required value: at least 1 access mode is required/);
    const size = bad({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: 'ten gigs' } } });
    assert.match(
      size.stderr,
      /spec\.resources\.requests\[storage\]: Invalid value: "ten gigs": quantities must match the regular expression/,
    );
    const negative = bad({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '-1Gi' } } });
    assert.match(negative.stderr, /spec\.resources\[storage\]: Invalid value: "-1Gi": must be greater than zero/);
  }),
);

test(
  'a pod with a claim runs on a sim node and its claim is bound to a volume pinned to that node',
  run(async () => {
    cl().ok(['apply', '-f', '-'], {
      input: claim('data', { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } }),
    });
    // WaitForFirstConsumer: no pod yet, so the claim waits
    const pending = cl().json(['get', 'pvc', 'data']);
    assert.equal(at(pending, 'status', 'phase'), 'Pending');
    assert.equal(at(pending, 'spec', 'storageClassName'), 'local-path');
    assert.deepEqual(at(pending, 'metadata', 'finalizers'), ['kubernetes.io/pvc-protection']);
    cl().ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'writer' },
        spec: {
          containers: [{ name: 'main', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        },
      }),
    });
    const bound = await eventually(() => {
      const p = cl().json(['get', 'pvc', 'data']);
      return at(p, 'status', 'phase') === 'Bound' ? p : undefined;
    }, 30_000);
    assert.ok(bound, `claim not bound:\n${cl().ok(['describe', 'pvc', 'data']).stdout}`);
    const pod = await eventually(() => {
      const p = cl().json(['get', 'pod', 'writer']);
      return at(p, 'status', 'phase') === 'Running' ? p : undefined;
    }, 30_000);
    assert.ok(pod, 'pod not running');
    const node = String(at(pod, 'spec', 'nodeName'));
    assert.match(node, /^vol-\d$/);
    const pvName = String(at(bound, 'spec', 'volumeName'));
    assert.equal(pvName, `pvc-${String(at(bound, 'metadata', 'uid'))}`);
    assert.equal(at(bound, 'metadata', 'annotations', 'volume.kubernetes.io/selected-node'), node);
    assert.equal(at(bound, 'metadata', 'annotations', 'pv.kubernetes.io/bind-completed'), 'yes');
    assert.equal(at(bound, 'status', 'capacity', 'storage'), '2Gi');
    const pv = cl().json(['get', 'pv', pvName]);
    assert.deepEqual(at(pv, 'spec', 'nodeAffinity', 'required', 'nodeSelectorTerms', 0, 'matchExpressions', 0, 'values'), [node]);
    assert.equal(at(pv, 'spec', 'hostPath', 'path'), `/var/lib/tandem-sim/${node}/volumes/${pvName}`);
    assert.equal(at(pv, 'status', 'phase'), 'Bound');
    assert.equal(at(pv, 'spec', 'persistentVolumeReclaimPolicy'), 'Delete');
    // the columns kubectl prints
    const pvcRow = rows(cl().ok(['get', 'pvc', 'data']).stdout)[1];
    assert.deepEqual(pvcRow?.slice(0, 7), ['data', 'Bound', pvName, '2Gi', 'RWO', 'local-path', '<unset>']);
    const pvRow = rows(cl().ok(['get', 'pv', pvName]).stdout)[1];
    assert.deepEqual(pvRow?.slice(0, 8), [pvName, '2Gi', 'RWO', 'Delete', 'Bound', 'default/data', 'local-path', '<unset>']);

    // kubectl's describers read the same objects (Used By comes from the pods of the namespace)
    const described = cl().ok(['describe', 'pvc', 'data']).stdout;
    assert.match(described, /^Used By:\s+writer$/m, described);
    assert.match(described, /^StorageClass:\s+local-path$/m, described);
    assert.match(cl().ok(['describe', 'pv', pvName]).stdout, /^Source:\n\s+Type:\s+HostPath/m);
    assert.match(cl().ok(['describe', 'sc', 'local-path']).stdout, /^IsDefaultClass:\s+Yes$/m);
    // a claim in use is not removed until its pod is gone
    cl().ok(['delete', 'pvc', 'data', '--wait=false']);
    await new Promise((r) => setTimeout(r, 1500));
    const held = cl().json(['get', 'pvc', 'data']);
    assert.ok(at(held, 'metadata', 'deletionTimestamp'), 'the claim is being deleted');
    assert.equal(rows(cl().ok(['get', 'pvc', 'data']).stdout)[1]?.[1], 'Terminating');
    cl().ok(['delete', 'pod', 'writer', '--wait=false']);
    const gone = await eventually(
      () => cl().srv.kubectl(['get', 'pv', pvName]).code !== 0 && cl().srv.kubectl(['get', 'pvc', 'data']).code !== 0,
      40_000,
    );
    assert.ok(gone, `claim and volume not gone:\n${cl().ok(['get', 'pv,pvc', '-o', 'wide']).stdout}`);
  }),
);

test(
  'a pod whose claim does not exist stays Pending with the scheduler’s message',
  run(async () => {
    cl().ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'orphan' },
        spec: {
          containers: [{ name: 'main', image: 'busybox' }],
          volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'nothing' } }],
        },
      }),
    });
    const msg = await eventually(() => {
      const conds =
        (at(cl().json(['get', 'pod', 'orphan']), 'status', 'conditions') as { type: string; message?: string }[] | undefined) ?? [];
      return conds.find((x) => x.type === 'PodScheduled')?.message;
    }, 20_000);
    assert.match(String(msg), /persistentvolumeclaim "nothing" not found/);
    cl().ok(['delete', 'pod', 'orphan', '--wait=false']);
  }),
);

test(
  'a sim pod placed by nodeName waits for its claim to be bound, then starts',
  run(async () => {
    cl().ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'placed' },
        spec: {
          nodeName: 'vol-1',
          containers: [{ name: 'main', image: 'busybox' }],
          volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'static' } }],
        },
      }),
    });
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(at(cl().json(['get', 'pod', 'placed']), 'status', 'phase'), 'Pending', 'no claim yet: the pod does not start');
    // a hand-made volume and a claim of no class: bound by the binder alone
    for (const input of [
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'static-pv', labels: { kind: 'static' } },
        spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/srv/static' }, storageClassName: '' },
      }),
      claim('static', {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } },
        storageClassName: '',
        selector: { matchLabels: { kind: 'static' } },
      }),
    ])
      cl().ok(['apply', '-f', '-'], { input });
    const running = await eventually(() => at(cl().json(['get', 'pod', 'placed']), 'status', 'phase') === 'Running', 30_000);
    assert.ok(running, 'the pod starts once its claim is bound');
    const pvc = cl().json(['get', 'pvc', 'static']);
    assert.equal(at(pvc, 'spec', 'volumeName'), 'static-pv');
    assert.equal(at(pvc, 'metadata', 'annotations', 'pv.kubernetes.io/bound-by-controller'), 'yes');
    const pvRow = rows(cl().ok(['get', 'pv', 'static-pv']).stdout)[1];
    assert.deepEqual(pvRow?.slice(0, 6), ['static-pv', '5Gi', 'RWO', 'Retain', 'Bound', 'default/static']);
    // Retain: the claim deleted after its pod, the volume stays Released
    cl().ok(['delete', 'pod', 'placed', '--grace-period=0', '--force']);
    cl().ok(['delete', 'pvc', 'static']);
    const released = await eventually(() => at(cl().json(['get', 'pv', 'static-pv']), 'status', 'phase') === 'Released', 20_000);
    assert.ok(released, 'a Retain volume is Released when its claim goes');
    cl().ok(['delete', 'pv', 'static-pv']);
  }),
);

test(
  "a pod's generic ephemeral volume gets its own claim, bound on the pod's node, gone with the pod",
  run(async () => {
    cl().ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'scratchy' },
        spec: {
          containers: [{ name: 'main', image: 'busybox', volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
          volumes: [
            {
              name: 'scratch',
              ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } },
            },
          ],
        },
      }),
    });
    const pod = await eventually(() => {
      const p = cl().json(['get', 'pod', 'scratchy']);
      return at(p, 'status', 'phase') === 'Running' ? p : undefined;
    }, 30_000);
    assert.ok(pod, `pod not running:\n${cl().ok(['describe', 'pod', 'scratchy']).stdout}`);
    const pvc = cl().json(['get', 'pvc', 'scratchy-scratch']);
    assert.equal(at(pvc, 'status', 'phase'), 'Bound');
    assert.equal(at(pvc, 'metadata', 'ownerReferences', 0, 'name'), 'scratchy');
    assert.equal(at(pvc, 'metadata', 'annotations', 'volume.kubernetes.io/selected-node'), at(pod, 'spec', 'nodeName'));
    const pvName = String(at(pvc, 'spec', 'volumeName'));
    cl().ok(['delete', 'pod', 'scratchy']);
    const gone = await eventually(
      () => cl().srv.kubectl(['get', 'pvc', 'scratchy-scratch']).code !== 0 && cl().srv.kubectl(['get', 'pv', pvName]).code !== 0,
      40_000,
    );
    assert.ok(gone, 'the claim and its volume go with the pod');
  }),
);

test(
  'claims per ordinal, as a StatefulSet makes them: a pod made again goes back to the node its volume is on',
  run(async () => {
    const podFor = (i: number) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `web-${i}`, labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'main', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `data-web-${i}` } }],
        },
      });
    for (let i = 0; i < 3; i++) {
      cl().ok(['apply', '-f', '-'], {
        input: claim(`data-web-${i}`, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }),
      });
      cl().ok(['apply', '-f', '-'], { input: podFor(i) });
    }
    const placed = await eventually(() => {
      const pods = cl().items(['get', 'pods', '-l', 'app=web']);
      return pods.length === 3 && pods.every((p) => at(p, 'status', 'phase') === 'Running') ? pods : undefined;
    }, 30_000);
    assert.ok(placed, 'three pods running');
    const nodeOf = new Map(placed.map((p) => [String(at(p, 'metadata', 'name')), String(at(p, 'spec', 'nodeName'))]));
    for (let i = 0; i < 3; i++) {
      const pv = cl().json(['get', 'pv', String(at(cl().json(['get', 'pvc', `data-web-${i}`]), 'spec', 'volumeName'))]);
      assert.deepEqual(at(pv, 'spec', 'nodeAffinity', 'required', 'nodeSelectorTerms', 0, 'matchExpressions', 0, 'values'), [
        nodeOf.get(`web-${i}`),
      ]);
    }
    // web-1 deleted and made again (as its StatefulSet would): its bound volume pins it to the same node
    const volumeBefore = at(cl().json(['get', 'pvc', 'data-web-1']), 'spec', 'volumeName');
    cl().ok(['delete', 'pod', 'web-1']);
    cl().ok(['apply', '-f', '-'], { input: podFor(1) });
    const again = await eventually(() => {
      const p = cl().json(['get', 'pod', 'web-1']);
      return at(p, 'status', 'phase') === 'Running' ? p : undefined;
    }, 30_000);
    assert.ok(again);
    assert.equal(at(again, 'spec', 'nodeName'), nodeOf.get('web-1'));
    assert.equal(at(cl().json(['get', 'pvc', 'data-web-1']), 'spec', 'volumeName'), volumeBefore);
    // a pod on the claim that may only run elsewhere is told why it cannot
    const other = [...new Set(nodeOf.values())].find((n) => n !== nodeOf.get('web-1')) ?? 'vol-0';
    cl().ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'elsewhere', labels: { app: 'web' } },
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': other },
          containers: [{ name: 'main', image: 'busybox' }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } }],
        },
      }),
    });
    const why = await eventually(() => {
      const conds =
        (at(cl().json(['get', 'pod', 'elsewhere']), 'status', 'conditions') as { type: string; message?: string }[] | undefined) ?? [];
      return conds.find((x) => x.type === 'PodScheduled')?.message;
    }, 20_000);
    assert.match(String(why), /node\(s\) had volume node affinity conflict/);
    cl().ok(['delete', 'pods', '-l', 'app=web']);
  }),
);

test(
  'a StatefulSet with volumeClaimTemplates runs on the sim fleet: each claim Bound on its pod’s node',
  run(async (t) => {
    const served = cl().ok(['api-resources', '--api-group=apps', '-o', 'name']).stdout.split('\n').includes('statefulsets.apps');
    if (!served) {
      t.skip('statefulsets are not served by this build');
      return;
    }
    cl().ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'kv' },
        spec: {
          serviceName: 'kv',
          replicas: 3,
          selector: { matchLabels: { app: 'kv' } },
          template: {
            metadata: { labels: { app: 'kv' } },
            spec: { containers: [{ name: 'main', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
          },
          volumeClaimTemplates: [
            { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
          ],
        },
      }),
    });
    const pods = await eventually(() => {
      const ps = cl().items(['get', 'pods', '-l', 'app=kv']);
      return ps.length === 3 && ps.every((p) => at(p, 'status', 'phase') === 'Running') ? ps : undefined;
    }, 60_000);
    assert.ok(pods, `the set's pods did not all run:\n${cl().ok(['get', 'pods,pvc', '-l', 'app=kv']).stdout}`);
    for (const p of pods) {
      const name = String(at(p, 'metadata', 'name'));
      const pvc = cl().json(['get', 'pvc', `data-${name}`]);
      assert.equal(at(pvc, 'status', 'phase'), 'Bound', name);
      const pv = cl().json(['get', 'pv', String(at(pvc, 'spec', 'volumeName'))]);
      assert.deepEqual(at(pv, 'spec', 'nodeAffinity', 'required', 'nodeSelectorTerms', 0, 'matchExpressions', 0, 'values'), [
        at(p, 'spec', 'nodeName'),
      ]);
    }
    cl().ok(['delete', 'statefulset', 'kv']);
  }),
);
