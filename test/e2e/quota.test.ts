// Quotas, limit ranges and ReplicationControllers end to end with the real kubectl against a
// `tandem server` (no node: pods stay Pending, which is all quota and the RC controller need).
// A ResourceQuota gets its status from the quota controller (`kubectl describe quota`, `get quota`),
// a pod over it or leaving out what it constrains is refused with upstream's message, a LimitRange
// defaults a pod's requests and limits and refuses one under its minimum, an RC of 3 makes 3 pods
// and `kubectl scale rc` takes it to 1, and bad quota and limit range objects are 422s naming the field.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kubectlAvailable } from './harness.js';
import { at, createKubectlSession, rows, waitFor } from './kubectl-support.js';

const k = createKubectlSession();
before(async () => {
  await k.start();
  if (!kubectlAvailable()) return;
  k.ok(['create', 'namespace', 'quota']);
  k.ok(['create', 'namespace', 'rc']);
});
after(() => k.stop());

const NS = ['-n', 'quota'];
const used = (name: string) => (at(k.json(['get', 'quota', name, ...NS]), 'status', 'used') ?? {}) as Record<string, string>;

const pod = (name: string, resources?: Record<string, unknown>) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'quota' },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25', ...(resources ? { resources } : {}) }] },
  });

test(
  'a quota: status from the controller, describe and get columns, refusals with upstream messages, LimitRange defaults',
  k.run(async () => {
    assert.equal(
      k.ok(['create', 'quota', 'compute', ...NS, '--hard=pods=3,requests.cpu=1,limits.cpu=2']).stdout.trim(),
      'resourcequota/compute created',
    );
    assert.ok(await waitFor(() => used('compute')['pods'] === '0', 15_000), 'the controller reports usage');
    const described = k.ok(['describe', 'quota', 'compute', ...NS]).stdout;
    assert.match(described, /^Name:\s+compute$/m);
    assert.match(described, /^Resource\s+Used\s+Hard$/m);
    assert.match(described, /^pods\s+0\s+3$/m);
    assert.match(described, /^requests\.cpu\s+0\s+1$/m);
    assert.match(described, /^limits\.cpu\s+0\s+2$/m);
    const table = k.ok(['get', 'quota', ...NS]).stdout;
    assert.match(table.split('\n')[0] ?? '', /^NAME\s+AGE\s+REQUEST\s+LIMIT$/);
    assert.match(table, /^compute\s+\S+\s+pods: 0\/3, requests\.cpu: 0\/1\s+limits\.cpu: 0\/2$/m);

    // a pod without the cpu figures the quota constrains
    const bare = k.fails(['apply', '-f', '-'], { input: pod('bare') });
    assert.match(
      bare.stderr,
      /Error from server \(Forbidden\).*pods "bare" is forbidden: failed quota: compute: must specify limits\.cpu for: app; requests\.cpu for: app/,
    );

    // a LimitRange fills them in, and refuses what is under its minimum
    const lr = {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'cpu', namespace: 'quota' },
      spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '400m' }, min: { cpu: '100m' } }] },
    };
    assert.equal(k.ok(['apply', '-f', '-'], { input: JSON.stringify(lr) }).stdout.trim(), 'limitrange/cpu created');
    assert.match(k.ok(['get', 'limitrange', ...NS]).stdout, /^cpu\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
    k.ok(['apply', '-f', '-'], { input: pod('a') });
    const a = k.json(['get', 'pod', 'a', ...NS]);
    assert.deepEqual(at(a, 'spec', 'containers', 0, 'resources'), { limits: { cpu: '500m' }, requests: { cpu: '400m' } });
    assert.equal(
      at(a, 'metadata', 'annotations', 'kubernetes.io/limit-ranger'),
      'LimitRanger plugin set: cpu request for container app; cpu limit for container app',
    );
    const low = k.fails(['apply', '-f', '-'], { input: pod('low', { requests: { cpu: '50m' }, limits: { cpu: '50m' } }) });
    assert.match(low.stderr, /pods "low" is forbidden: minimum cpu usage per Container is 100m, but request is 50m/);

    k.ok(['apply', '-f', '-'], { input: pod('b') });
    assert.deepEqual(used('compute'), { pods: '2', 'requests.cpu': '800m', 'limits.cpu': '1' });
    const over = k.fails(['apply', '-f', '-'], { input: pod('c') });
    assert.match(
      over.stderr,
      /pods "c" is forbidden: exceeded quota: compute, requested: requests\.cpu=400m, used: requests\.cpu=800m, limited: requests\.cpu=1/,
    );
    assert.match(k.ok(['describe', 'quota', 'compute', ...NS]).stdout, /^requests\.cpu\s+800m\s+1$/m);

    // deleting a pod gives its usage back
    k.ok(['delete', 'pod', 'a', ...NS, '--wait=true']);
    assert.ok(await waitFor(() => used('compute')['requests.cpu'] === '400m', 15_000), JSON.stringify(used('compute')));
    k.ok(['apply', '-f', '-'], { input: pod('c') });
  }),
);

test(
  'bad quota and limit range objects are 422s naming the field',
  k.run(() => {
    const q = {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'bad', namespace: 'quota' },
      spec: { hard: { widgets: '1', pods: '1.5' } },
    };
    const r = k.fails(['apply', '-f', '-'], { input: JSON.stringify(q) });
    assert.match(r.stderr, /ResourceQuota "bad" is invalid/);
    assert.match(r.stderr, /spec\.hard\[widgets\]: Invalid value: "widgets": must be a standard resource type or fully qualified/);
    assert.match(r.stderr, /spec\.hard\[pods\]: Invalid value: "1\.5": must be an integer/);
    const lr = {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'bad', namespace: 'quota' },
      spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }] },
    };
    const r2 = k.fails(['apply', '-f', '-'], { input: JSON.stringify(lr) });
    assert.match(r2.stderr, /LimitRange "bad" is invalid/);
    assert.match(r2.stderr, /spec\.limits\[0\]\.min\[cpu\]: Invalid value: "2": min value 2 is greater than max value 1/);
  }),
);

test(
  'an RC of 3 makes 3 pods it owns; kubectl scale rc takes it to 1',
  k.run(async () => {
    const rc = {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'web', namespace: 'rc' },
      spec: {
        replicas: 3,
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
      },
    };
    assert.equal(k.ok(['apply', '-f', '-'], { input: JSON.stringify(rc) }).stdout.trim(), 'replicationcontroller/web created');
    const live = () =>
      ((k.json(['get', 'pods', '-n', 'rc', '-l', 'app=web'])['items'] as unknown[]) ?? []).filter(
        (p) => !at(p, 'metadata', 'deletionTimestamp'),
      );
    assert.ok(await waitFor(() => live().length === 3, 15_000), 'three pods');
    assert.deepEqual(
      live().map((p) => [at(p, 'metadata', 'ownerReferences', 0, 'kind'), at(p, 'metadata', 'ownerReferences', 0, 'apiVersion')]),
      [
        ['ReplicationController', 'v1'],
        ['ReplicationController', 'v1'],
        ['ReplicationController', 'v1'],
      ],
    );
    assert.ok(
      await waitFor(
        () =>
          rows(k.ok(['get', 'rc', 'web', '-n', 'rc']).stdout)[1]
            ?.slice(1, 4)
            .join(' ') === '3 3 0',
        15_000,
      ),
    );
    const wide = k.ok(['get', 'rc', '-n', 'rc', '-o', 'wide']).stdout;
    assert.match(wide.split('\n')[0] ?? '', /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
    assert.match(wide, /^web\s+3\s+3\s+0\s+\S+\s+web\s+nginx:1\.25\s+app=web$/m);
    const described = k.ok(['describe', 'rc', 'web', '-n', 'rc']).stdout;
    assert.match(described, /^Replicas:\s+3 current \/ 3 desired$/m);
    assert.match(described, /^Pods Status:\s+0 Running \/ 3 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
    assert.equal(k.ok(['scale', 'rc', 'web', '-n', 'rc', '--replicas=1']).stdout.trim(), 'replicationcontroller/web scaled');
    assert.ok(await waitFor(() => live().length === 1, 15_000), 'one pod left');
    assert.ok(await waitFor(() => at(k.json(['get', 'rc', 'web', '-n', 'rc']), 'status', 'replicas') === 1, 15_000));
    // the garbage collector follows the v1 ReplicationController owner references
    k.ok(['delete', 'rc', 'web', '-n', 'rc']);
    assert.ok(await waitFor(() => live().length === 0, 15_000), 'pods deleted with their RC');
  }),
);

test(
  'a PodTemplate is stored and printed with its containers, images and pod labels',
  k.run(() => {
    const pt = {
      apiVersion: 'v1',
      kind: 'PodTemplate',
      metadata: { name: 'tpl', namespace: 'rc' },
      template: { metadata: { labels: { app: 'tpl' } }, spec: { containers: [{ name: 'a', image: 'busybox:1.36' }] } },
    };
    assert.equal(k.ok(['apply', '-f', '-'], { input: JSON.stringify(pt) }).stdout.trim(), 'podtemplate/tpl created');
    const out = k.ok(['get', 'podtemplates', '-n', 'rc']).stdout;
    assert.match(out.split('\n')[0] ?? '', /^NAME\s+CONTAINERS\s+IMAGES\s+POD LABELS$/);
    assert.match(out, /^tpl\s+a\s+busybox:1\.36\s+app=tpl$/m);
    const bad = k.fails(['apply', '-f', '-'], {
      input: JSON.stringify({ ...pt, metadata: { name: 'bad', namespace: 'rc' }, template: { spec: {} } }),
    });
    assert.match(bad.stderr, /PodTemplate "bad" is invalid: .*template\.spec\.containers: Required value/);
  }),
);
