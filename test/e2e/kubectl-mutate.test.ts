// kubectl end to end, part 2: label, annotate, patch, scale, edit, get -w, wait --for=delete and
// delete (waiting, by label, and each cascade mode with a hand-made owned ReplicaSet).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kubectlAvailable } from './harness.js';
import { at, collect, createKubectlSession, rows, SYSTEM_CM, waitFor } from './kubectl-support.js';

const k = createKubectlSession();
before(async () => {
  await k.start();
  if (!kubectlAvailable()) return;
  k.ok(['create', 'namespace', 'ops']);
  k.ok(['create', 'configmap', 'cfg', '-n', 'ops', '--from-literal=color=blue', '--from-literal=size=large']);
  k.ok(['label', 'configmap', 'cfg', '-n', 'ops', 'tier=front']);
  k.ok(['create', 'deployment', 'app', '-n', 'ops', '--image=nginx:1.25', '--replicas=2']);
});
after(() => k.stop());

const NS = ['-n', 'ops'];
const labels = (kind: string, name: string) => at(k.json(['get', kind, name, ...NS]), 'metadata', 'labels');
const annotations = (kind: string, name: string) => at(k.json(['get', kind, name, ...NS]), 'metadata', 'annotations');

test(
  'label: add, refuse without --overwrite, overwrite, remove',
  k.run(() => {
    assert.equal(k.ok(['label', 'cm', 'cfg', ...NS, 'env=dev']).stdout.trim(), 'configmap/cfg labeled');
    assert.deepEqual(labels('cm', 'cfg'), { tier: 'front', env: 'dev' });
    const r = k.fails(['label', 'cm', 'cfg', ...NS, 'env=prod']);
    assert.match(r.stderr, /'env' already has a value \(dev\), and --overwrite is false/);
    assert.equal(k.ok(['label', 'cm', 'cfg', ...NS, 'env=prod', '--overwrite']).stdout.trim(), 'configmap/cfg labeled');
    assert.equal(k.ok(['label', 'cm', 'cfg', ...NS, 'tier-']).stdout.trim(), 'configmap/cfg unlabeled');
    assert.deepEqual(labels('cm', 'cfg'), { env: 'prod' });
    assert.match(k.ok(['get', 'cm', '-n', 'ops', '-l', 'env=prod', '-o', 'name']).stdout, /^configmap\/cfg$/m);
  }),
);

test(
  'annotate: add, refuse without --overwrite, overwrite, remove',
  k.run(() => {
    assert.equal(k.ok(['annotate', 'cm', 'cfg', ...NS, 'owner=alice', 'note=temp']).stdout.trim(), 'configmap/cfg annotated');
    assert.deepEqual(annotations('cm', 'cfg'), { owner: 'alice', note: 'temp' });
    const r = k.fails(['annotate', 'cm', 'cfg', ...NS, 'owner=bob']);
    assert.match(r.stderr, /--overwrite is false/);
    assert.match(r.stderr, /'owner' already has a value \(alice\)/);
    k.ok(['annotate', 'cm', 'cfg', ...NS, 'owner=bob', '--overwrite']);
    k.ok(['annotate', 'cm', 'cfg', ...NS, 'note-']);
    assert.deepEqual(annotations('cm', 'cfg'), { owner: 'bob' });
  }),
);

test(
  'patch --type strategic, merge and json',
  k.run(() => {
    // strategic: containers merge by name, so a second container is added beside the first
    const sp = '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}';
    assert.equal(k.ok(['patch', 'deploy', 'app', ...NS, '--type', 'strategic', '-p', sp]).stdout.trim(), 'deployment.apps/app patched');
    let dep = k.json(['get', 'deploy', 'app', ...NS]);
    const images = (at(dep, 'spec', 'template', 'spec', 'containers') as unknown[]).map(
      (c) => `${String(at(c, 'name'))}=${String(at(c, 'image'))}`,
    );
    assert.deepEqual(images.sort(), ['nginx=nginx:1.25', 'sidecar=busybox:1.36']);
    // strategic default type, change one container's image by key
    k.ok(['patch', 'deploy', 'app', ...NS, '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}']);
    dep = k.json(['get', 'deploy', 'app', ...NS]);
    const byName = (n: string) => (at(dep, 'spec', 'template', 'spec', 'containers') as unknown[]).find((c) => at(c, 'name') === n);
    assert.equal(at(byName('nginx'), 'image'), 'nginx:1.26');
    assert.equal(at(byName('sidecar'), 'image'), 'busybox:1.36');

    // merge: null removes a key
    k.ok(['patch', 'cm', 'cfg', ...NS, '--type', 'merge', '-p', '{"data":{"color":"red","size":null,"shape":"round"}}']);
    assert.deepEqual(at(k.json(['get', 'cm', 'cfg', ...NS]), 'data'), { color: 'red', shape: 'round' });

    // json: replace and remove by index
    const jp = '[{"op":"replace","path":"/spec/replicas","value":4},{"op":"remove","path":"/spec/template/spec/containers/1"}]';
    k.ok(['patch', 'deploy', 'app', ...NS, '--type', 'json', '-p', jp]);
    dep = k.json(['get', 'deploy', 'app', ...NS]);
    assert.equal(at(dep, 'spec', 'replicas'), 4);
    assert.equal((at(dep, 'spec', 'template', 'spec', 'containers') as unknown[]).length, 1);
    const failed = k.fails(['patch', 'cm', 'cfg', ...NS, '--type', 'json', '-p', '[{"op":"test","path":"/data/color","value":"green"}]']);
    assert.match(failed.stderr, /test/i);
    assert.equal(at(k.json(['get', 'cm', 'cfg', ...NS]), 'data', 'color'), 'red');
  }),
);

test(
  'scale, and scale --current-replicas',
  k.run(() => {
    assert.equal(k.ok(['scale', 'deploy', 'app', ...NS, '--replicas=3']).stdout.trim(), 'deployment.apps/app scaled');
    assert.equal(at(k.json(['get', 'deploy', 'app', ...NS]), 'spec', 'replicas'), 3);
    k.ok(['scale', 'deploy', 'app', ...NS, '--current-replicas=3', '--replicas=5']);
    assert.equal(at(k.json(['get', 'deploy', 'app', ...NS]), 'spec', 'replicas'), 5);
    const r = k.fails(['scale', 'deploy', 'app', ...NS, '--current-replicas=2', '--replicas=6']);
    assert.match(r.stderr, /Expected replicas to be 2, was 5/);
    assert.equal(at(k.json(['get', 'deploy', 'app', ...NS]), 'spec', 'replicas'), 5);
  }),
);

test(
  'edit through KUBE_EDITOR',
  k.run(() => {
    const out = k.ok(['edit', 'cm', 'cfg', ...NS], { env: { KUBE_EDITOR: "sed -i -e 's/^  color: .*/  color: green/'" } }).stdout;
    assert.equal(out.trim(), 'configmap/cfg edited');
    assert.equal(at(k.json(['get', 'cm', 'cfg', ...NS]), 'data', 'color'), 'green');
    const dep = k.ok(['edit', 'deploy', 'app', ...NS], { env: { KUBE_EDITOR: "sed -i -e 's/image: nginx:.*/image: nginx:1.27/'" } }).stdout;
    assert.equal(dep.trim(), 'deployment.apps/app edited');
    assert.equal(at(k.json(['get', 'deploy', 'app', ...NS]), 'spec', 'template', 'spec', 'containers', 0, 'image'), 'nginx:1.27');
    const none = k.ok(['edit', 'cm', 'cfg', ...NS], { env: { KUBE_EDITOR: 'true' } });
    assert.match(none.stderr, /Edit cancelled, no changes made\./);
  }),
);

test(
  'get -w prints added, modified and deleted rows',
  k.run(async () => {
    k.ok(['create', 'namespace', 'watch']);
    k.ok(['create', 'cm', 'w1', '-n', 'watch', '--from-literal=a=1']);
    const plain = collect(k.srv().kubectlAsync(['get', 'cm', '-n', 'watch', '-w']));
    const events = collect(k.srv().kubectlAsync(['get', 'cm', '-n', 'watch', '-w', '--output-watch-events']));
    try {
      const ready = await waitFor(() => /^w1\s/m.test(plain.out()) && /^ADDED\s+w1\s/m.test(events.out()), 20_000);
      assert.ok(ready, `watchers did not list w1:\n${plain.out()}${plain.err()}\n${events.out()}${events.err()}`);
      k.ok(['create', 'cm', 'w2', '-n', 'watch', '--from-literal=a=1']);
      k.ok(['patch', 'cm', 'w2', '-n', 'watch', '-p', '{"data":{"b":"2"}}']);
      k.ok(['delete', 'cm', 'w2', '-n', 'watch']);
      const done = await waitFor(() => /^DELETED\s+w2\s/m.test(events.out()) && (plain.out().match(/^w2\s/gm) ?? []).length >= 3, 20_000);
      assert.ok(done, `watchers did not see all changes:\n${plain.out()}${plain.err()}\n${events.out()}${events.err()}`);
    } finally {
      await plain.stop();
      await events.stop();
    }
    const p = rows(plain.out()).filter((r) => r[0] !== SYSTEM_CM);
    assert.deepEqual(p[0], ['NAME', 'DATA', 'AGE']);
    assert.equal(p.filter((r) => r[0] === 'NAME').length, 1, `one header only:\n${plain.out()}`);
    assert.deepEqual(
      p.slice(1).map((r) => `${r[0]} ${r[1]}`),
      ['w1 1', 'w2 1', 'w2 2', 'w2 2'],
    );
    const e = rows(events.out()).filter((r) => r[1] !== SYSTEM_CM);
    assert.deepEqual(e[0], ['EVENT', 'NAME', 'DATA', 'AGE']);
    assert.deepEqual(
      e.slice(1).map((r) => `${r[0]} ${r[1]} ${r[2]}`),
      ['ADDED w1 1', 'ADDED w2 1', 'MODIFIED w2 2', 'DELETED w2 2'],
    );
  }),
);

test(
  'wait --for=delete returns once the object is deleted in the background',
  k.run(async () => {
    k.ok(['create', 'cm', 'doomed', ...NS]);
    const waiter = collect(k.srv().kubectlAsync(['wait', '--for=delete', 'cm/doomed', ...NS, '--timeout=30s']));
    await new Promise((r) => setTimeout(r, 1500));
    k.ok(['delete', 'cm', 'doomed', ...NS]);
    const finished = await waitFor(() => /condition met/.test(waiter.out()), 20_000);
    await waiter.stop();
    assert.ok(finished, `wait did not finish:\n${waiter.out()}${waiter.err()}`);
    assert.equal(waiter.out().trim(), 'configmap/doomed condition met');
    // an object that is already gone: immediate success
    k.ok(['wait', '--for=delete', 'cm/never-existed', ...NS, '--timeout=5s']);
    // an object that stays: times out with an error
    const r = k.fails(['wait', '--for=delete', 'cm/cfg', ...NS, '--timeout=1s']);
    assert.match(r.stderr, /timed out waiting for the condition on configmaps\/cfg/);
  }),
);

test(
  'delete waits for removal; delete -l deletes only matching objects',
  k.run(() => {
    k.ok(['create', 'cm', 'tmp', ...NS]);
    assert.equal(k.ok(['delete', 'cm', 'tmp', ...NS]).stdout.trim(), 'configmap "tmp" deleted');
    const nf = k.fails(['get', 'cm', 'tmp', ...NS]);
    assert.match(nf.stderr, /Error from server \(NotFound\): configmaps "tmp" not found/);
    const nf2 = k.fails(['delete', 'cm', 'tmp', ...NS]);
    assert.match(nf2.stderr, /Error from server \(NotFound\): configmaps "tmp" not found/);

    for (const n of ['b1', 'b2', 'keep']) k.ok(['create', 'cm', n, ...NS]);
    k.ok(['label', 'cm', 'b1', 'b2', ...NS, 'batch=yes']);
    const out = k
      .ok(['delete', 'cm', ...NS, '-l', 'batch=yes'])
      .stdout.trim()
      .split('\n')
      .sort();
    assert.deepEqual(out, ['configmap "b1" deleted', 'configmap "b2" deleted']);
    const left = k
      .ok(['get', 'cm', ...NS, '-o', 'name'])
      .stdout.trim()
      .split('\n');
    assert.ok(left.includes('configmap/keep') && !left.includes('configmap/b1') && !left.includes('configmap/b2'), left.join(','));
  }),
);

/** A Deployment plus a ReplicaSet made by hand that the Deployment owns; returns the deployment's uid. */
function ownedPair(name: string): string {
  k.ok(['create', 'deployment', name, ...NS, '--image=nginx:1.25', '--replicas=0']);
  const uid = String(at(k.json(['get', 'deploy', name, ...NS]), 'metadata', 'uid'));
  const rs = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${name}-rs`,
      namespace: 'ops',
      labels: { app: name, owned: 'by-hand' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name, owned: 'by-hand' } },
      template: { metadata: { labels: { app: name, owned: 'by-hand' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } },
    },
  };
  k.ok(['create', '-f', '-'], { input: JSON.stringify(rs) });
  assert.equal(at(k.json(['get', 'rs', `${name}-rs`, ...NS]), 'metadata', 'ownerReferences', 0, 'uid'), uid);
  return uid;
}

const exists = (kind: string, name: string) => k.srv().kubectl(['get', kind, name, ...NS, '-o', 'name']).code === 0;

test(
  'delete --cascade=background removes the deployment and then its owned ReplicaSet',
  k.run(async () => {
    ownedPair('casc-bg');
    assert.equal(k.ok(['delete', 'deploy', 'casc-bg', ...NS, '--cascade=background']).stdout.trim(), 'deployment.apps "casc-bg" deleted');
    assert.equal(exists('deploy', 'casc-bg'), false);
    assert.ok(await waitFor(() => !exists('rs', 'casc-bg-rs'), 15_000), 'the owned ReplicaSet should be garbage-collected');
  }),
);

test(
  'delete --cascade=foreground deletes the owned ReplicaSet before the deployment goes',
  k.run(() => {
    ownedPair('casc-fg');
    const r = k.ok(['delete', 'deploy', 'casc-fg', ...NS, '--cascade=foreground', '--timeout=20s'], { timeoutMs: 30_000 });
    assert.equal(r.stdout.trim(), 'deployment.apps "casc-fg" deleted');
    assert.equal(exists('deploy', 'casc-fg'), false);
    assert.equal(exists('rs', 'casc-fg-rs'), false);
  }),
);

test(
  'delete --cascade=orphan keeps the ReplicaSet and removes its ownerReference',
  k.run(() => {
    const uid = ownedPair('casc-or');
    const r = k.ok(['delete', 'deploy', 'casc-or', ...NS, '--cascade=orphan', '--timeout=20s'], { timeoutMs: 30_000 });
    assert.equal(r.stdout.trim(), 'deployment.apps "casc-or" deleted');
    assert.equal(exists('deploy', 'casc-or'), false);
    const rs = k.json(['get', 'rs', 'casc-or-rs', ...NS]);
    const refs = (at(rs, 'metadata', 'ownerReferences') ?? []) as unknown[];
    assert.ok(!refs.some((o) => at(o, 'uid') === uid), `ownerReference should be gone: ${JSON.stringify(refs)}`);
    assert.equal(at(rs, 'metadata', 'deletionTimestamp'), undefined);
  }),
);
