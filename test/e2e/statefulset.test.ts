// StatefulSets end to end with the real kubectl: `tandem server` (controllers, cluster DNS on an
// ephemeral port) plus a `tandem sim` fleet of three Linux nodes. A set of three OrderedReady pods
// behind a headless Service comes up in order (watched through `kubectl get -w`), with stable names,
// hostnames and DNS names; a deleted pod comes back under its name; a rolling update with partition 1
// replaces only ordinals 1 and 2, highest first; `kubectl rollout status/history/undo` work on its
// ControllerRevisions; scaling to 1 removes web-2, then web-1.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { Answer } from 'dns-packet';
import { decodeReply, makeQuery, udpExchange } from '../../src/network/dns/testing/dns-client.js';
import { eventually, podView, runningReady, startCluster, type Cluster, type PodView } from './cluster-fleet.js';
import { kubectlAvailable } from './harness.js';
import { rows, SKIP_MESSAGE } from './kubectl-support.js';

let c: Cluster | undefined;
const cl = () => {
  if (!c) throw new Error('cluster not started');
  return c;
};

before(async () => {
  if (!kubectlAvailable()) return;
  c = await startCluster(
    {},
    [['--nodes', '3', '--os', 'linux', '--name-prefix', 'sts-', '--lease-renew-ms', '1000']],
    ['--cluster-dns-listen', '0.0.0.0:0'],
  );
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
const T = (ms: number) => ({ timeout: ms });

const pods = (): PodView[] =>
  cl()
    .items(['get', 'pods', '-l', 'app=nginx'])
    .map(podView)
    .sort((a, b) => a.name.localeCompare(b.name));
const allReady = (names: string[], image?: string) => () => {
  const ps = pods();
  const ok =
    ps.length === names.length && ps.every((p, i) => p.name === names[i] && runningReady(p) && (image === undefined || p.image === image));
  return ok ? ps : undefined;
};

/**
 * `kubectl get pods -w --output-watch-events` in the background: every line it prints, as it prints
 * them. The columns read the watch event (`.type`, `.object...`).
 */
function watchPods(columns: string): { lines: string[]; proc: ChildProcess; stop(): void } {
  const proc = cl().srv.kubectlAsync([
    'get',
    'pods',
    '-l',
    'app=nginx',
    '-w',
    '--output-watch-events',
    '--no-headers',
    '-o',
    `custom-columns=EVENT:.type,${columns}`,
  ]);
  const lines: string[] = [];
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const l of parts) if (l.trim()) lines.push(l.trim().split(/\s+/).join(' '));
  });
  return { lines, proc, stop: () => proc.kill('SIGTERM') };
}

/** Waits until the watch has listed the `n` pods that exist (its initial ADDED lines). */
async function listed(w: { lines: string[] }, n: number): Promise<void> {
  const ok = await eventually(() => (w.lines.filter((l) => l.startsWith('ADDED ')).length >= n ? true : undefined), 10_000, 50);
  assert.ok(ok, `the watch did not list ${n} pods: ${w.lines.join('\n')}`);
}

const HEADLESS = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'nginx' },
  spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80 }] },
};
const statefulSet = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web' },
  spec: {
    serviceName: 'nginx',
    replicas: 3,
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80, name: 'web' }] }] },
    },
  },
});

test(
  'three OrderedReady pods come up in order, each after the one before is Running and Ready',
  T(90_000),
  run(async () => {
    const w = watchPods('NAME:.object.metadata.name,READY:.object.status.conditions[?(@.type=="Ready")].status');
    // no pod exists yet, so the watch prints nothing to wait for: give it time to start
    await new Promise((r) => setTimeout(r, 1500));
    cl().ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [HEADLESS, statefulSet('nginx:1')] }) });
    const ready = await eventually(allReady(['web-0', 'web-1', 'web-2']), 60_000);
    await new Promise((r) => setTimeout(r, 500));
    w.stop();
    assert.ok(ready, `pods: ${JSON.stringify(pods())}`);
    // lines: EVENT NAME READY; the first line of web-k comes after a line saying web-(k-1) is Ready
    const first = (name: string) => w.lines.findIndex((l) => l.split(' ')[1] === name);
    const readyAt = (name: string) => w.lines.findIndex((l) => l.split(' ')[1] === name && l.split(' ')[2] === 'True');
    assert.ok(first('web-0') >= 0, w.lines.join('\n'));
    assert.ok(readyAt('web-0') < first('web-1'), `web-1 created before web-0 was Ready:\n${w.lines.join('\n')}`);
    assert.ok(readyAt('web-1') < first('web-2'), `web-2 created before web-1 was Ready:\n${w.lines.join('\n')}`);
    assert.ok(first('web-0') < first('web-1') && first('web-1') < first('web-2'));

    const sts = rows(cl().ok(['get', 'statefulset', 'web']).stdout);
    assert.deepEqual(sts[0], ['NAME', 'READY', 'AGE']);
    assert.deepEqual(sts[1]?.slice(0, 2), ['web', '3/3']);
    const wide = rows(cl().ok(['get', 'sts', 'web', '-o', 'wide']).stdout);
    assert.deepEqual(wide[0], ['NAME', 'READY', 'AGE', 'CONTAINERS', 'IMAGES']);
    const events = cl().ok([
      'get',
      'events',
      '--field-selector',
      'involvedObject.kind=StatefulSet',
      '-o',
      'jsonpath={.items[*].message}',
    ]).stdout;
    assert.match(events, /create Pod web-0 in StatefulSet web successful/);
  }),
);

test(
  'stable identity: hostname, subdomain, labels, and <pod>.<service> in the cluster DNS',
  T(60_000),
  run(async () => {
    for (const n of ['web-0', 'web-1', 'web-2']) {
      const got = cl().ok([
        'get',
        'pod',
        n,
        '-o',
        'jsonpath={.spec.hostname} {.spec.subdomain} {.metadata.labels.statefulset\\.kubernetes\\.io/pod-name}',
      ]);
      assert.equal(got.stdout, `${n} nginx ${n}`);
    }
    const slice = rows(cl().ok(['get', 'endpointslices', '-n', 'kube-system']).stdout).find((r) => r[0] === 'kube-dns-cluster-dns');
    const port = Number((slice?.[2] ?? '').split(',')[0]);
    const dnsIp = slice?.[3] ?? '';
    assert.ok(port > 0, `kube-dns slice: ${JSON.stringify(slice)}`);
    const podIp = cl().ok(['get', 'pod', 'web-1', '-o', 'jsonpath={.status.podIP}']).stdout;
    assert.match(podIp, /^\d+\.\d+\.\d+\.\d+$/);
    // the endpoint of a Ready pod reaches the DNS cache shortly after the pod turns Ready
    let ips: string[] = [];
    for (const end = Date.now() + 20_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      const reply = await udpExchange(port, makeQuery('web-1.nginx.default.svc.cluster.local', 'A'), 2000, dnsIp);
      ips = reply ? (decodeReply(reply).answers?.flatMap((x: Answer) => (x.type === 'A' && 'data' in x ? [x.data] : [])) ?? []) : [];
      if (ips.length) break;
    }
    assert.deepEqual(ips, [podIp]);
  }),
);

test(
  'a deleted pod comes back under the same name',
  T(60_000),
  run(async () => {
    const before = cl().ok(['get', 'pod', 'web-1', '-o', 'jsonpath={.metadata.uid}']).stdout;
    cl().ok(['delete', 'pod', 'web-1', '--wait=false']);
    const back = await eventually(() => {
      const uid = cl().srv.kubectl(['get', 'pod', 'web-1', '-o', 'jsonpath={.metadata.uid}']).stdout;
      return uid && uid !== before && allReady(['web-0', 'web-1', 'web-2'])() ? uid : undefined;
    }, 40_000);
    assert.ok(back, `web-1 did not come back: ${JSON.stringify(pods())}`);
  }),
);

test(
  'rolling update with partition 1 replaces web-2 then web-1 and leaves web-0; rollout status, history and undo',
  T(120_000),
  run(async () => {
    const w = watchPods('NAME:.object.metadata.name,IMAGE:.object.spec.containers[0].image,DEL:.object.metadata.deletionTimestamp');
    await listed(w, 3);
    cl().ok(['patch', 'statefulset', 'web', '-p', '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":1}}}}']);
    cl().ok(['set', 'image', 'statefulset/web', 'nginx=nginx:2']);
    const status = cl().ok(['rollout', 'status', 'statefulset/web', '--timeout=90s'], { timeoutMs: 100_000 }).stdout;
    assert.match(status, /partitioned roll out complete: 2 new pods have been updated/);
    // kubectl ran synchronously: let the watch's buffered lines arrive before stopping it
    await new Promise((r) => setTimeout(r, 1000));
    w.stop();
    const ps = pods();
    assert.deepEqual(
      ps.map((p) => `${p.name}=${p.image}`),
      ['web-0=nginx:1', 'web-1=nginx:2', 'web-2=nginx:2'],
    );
    // web-2 was taken down before web-1
    const deleting = (n: string) => w.lines.findIndex((l) => l.split(' ')[1] === n && l.split(' ')[3] !== '<none>');
    assert.ok(deleting('web-2') >= 0 && deleting('web-2') < deleting('web-1'), w.lines.join('\n'));
    assert.equal(deleting('web-0'), -1);

    const revs = rows(cl().ok(['get', 'controllerrevisions']).stdout);
    assert.deepEqual(revs[0], ['NAME', 'CONTROLLER', 'REVISION', 'AGE']);
    assert.deepEqual(
      revs
        .slice(1)
        .map((r) => `${r[1]} ${r[2]}`)
        .sort(),
      ['statefulset.apps/web 1', 'statefulset.apps/web 2'],
    );
    const history = cl().ok(['rollout', 'history', 'statefulset/web']).stdout;
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    const statusJson = cl().json(['get', 'sts', 'web'])['status'] as Record<string, unknown>;
    assert.equal(statusJson['updatedReplicas'], 2);
    assert.equal(statusJson['currentReplicas'], 1);
    assert.notEqual(statusJson['currentRevision'], statusJson['updateRevision']);

    assert.match(cl().ok(['rollout', 'undo', 'statefulset/web']).stdout, /statefulset.apps\/web rolled back/);
    const undone = await eventually(allReady(['web-0', 'web-1', 'web-2'], 'nginx:1'), 60_000);
    assert.ok(undone, `after undo: ${JSON.stringify(pods())}`);
    const after = rows(cl().ok(['get', 'controllerrevisions']).stdout).slice(1);
    assert.deepEqual(after.map((r) => r[2]).sort(), ['2', '3'], 'the old revision is renumbered, none is added');
    const done = cl().ok(['rollout', 'status', 'statefulset/web', '--timeout=60s'], { timeoutMs: 70_000 }).stdout;
    // every pod now runs the update revision (the old template, renumbered): all three count as updated
    assert.match(done, /partitioned roll out complete: 3 new pods have been updated/);
    const final = cl().json(['get', 'sts', 'web'])['status'] as Record<string, unknown>;
    assert.equal(final['currentRevision'], final['updateRevision']);
    assert.equal(final['currentRevision'], statusJson['currentRevision'], 'back at the first revision');
  }),
);

test(
  'scale to 1 removes web-2, then web-1',
  T(90_000),
  run(async () => {
    const w = watchPods('NAME:.object.metadata.name,DEL:.object.metadata.deletionTimestamp');
    await listed(w, 3);
    cl().ok(['scale', 'statefulset', 'web', '--replicas=1']);
    const one = await eventually(allReady(['web-0']), 60_000);
    await new Promise((r) => setTimeout(r, 300));
    w.stop();
    assert.ok(one, `pods: ${JSON.stringify(pods())}`);
    // EVENT NAME DEL: web-2 is gone (DELETED) before web-1 starts terminating
    const gone2 = w.lines.findIndex((l) => l.startsWith('DELETED web-2'));
    const deleting1 = w.lines.findIndex((l) => l.split(' ')[1] === 'web-1' && l.split(' ')[2] !== '<none>');
    assert.ok(gone2 >= 0 && gone2 < deleting1, w.lines.join('\n'));
    assert.deepEqual(rows(cl().ok(['get', 'sts', 'web']).stdout)[1]?.slice(0, 2), ['web', '1/1']);
  }),
);

test(
  'a set deleted with --cascade=orphan and created again takes its pod back',
  T(60_000),
  run(async () => {
    const uid = cl().ok(['get', 'pod', 'web-0', '-o', 'jsonpath={.metadata.uid}']).stdout;
    cl().ok(['delete', 'statefulset', 'web', '--cascade=orphan']);
    const orphaned = await eventually(() => {
      const r = cl().srv.kubectl(['get', 'pod', 'web-0', '-o', 'jsonpath={.metadata.ownerReferences}']);
      return r.code === 0 && r.stdout === '' ? true : undefined;
    }, 20_000);
    assert.ok(orphaned, 'the garbage collector leaves web-0 without an owner');
    const again = { ...statefulSet('nginx:1'), spec: { ...statefulSet('nginx:1').spec, replicas: 1 } };
    cl().ok(['apply', '-f', '-'], { input: JSON.stringify(again) });
    const adopted = await eventually(() => {
      const r = cl().srv.kubectl(['get', 'pod', 'web-0', '-o', 'jsonpath={.metadata.ownerReferences[0].kind} {.metadata.uid}']);
      return r.stdout === `StatefulSet ${uid}` ? true : undefined;
    }, 20_000);
    assert.ok(adopted, `web-0 not adopted: ${cl().srv.kubectl(['get', 'pod', 'web-0', '-o', 'yaml']).stdout}`);
    const ready = await eventually(() => (rows(cl().ok(['get', 'sts', 'web']).stdout)[1]?.[1] === '1/1' ? true : undefined), 20_000);
    assert.ok(ready);
  }),
);

test(
  'volumeClaimTemplates: one claim per template per pod, kept when a pod is deleted and on scale down',
  T(90_000),
  run(async (t) => {
    // the claim kind comes with the storage work; until it is served there is nothing to create
    const served = cl().ok(['api-resources', '--api-group=', '-o', 'name']).stdout.split('\n').includes('persistentvolumeclaims');
    if (!served) {
      t.skip('persistentvolumeclaims are not served by this build');
      return;
    }
    const set = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        serviceName: 'db',
        replicas: 2,
        // Parallel: the pods and claims are made whether or not the claims get bound
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: { containers: [{ name: 'pg', image: 'postgres:16', volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }] }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: { tier: 'storage' } },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    };
    cl().ok(['apply', '-f', '-'], { input: JSON.stringify(set) });
    const claimNames = () =>
      cl()
        .items(['get', 'pvc', '-l', 'app=db'])
        .map(
          (c) =>
            `${String((c['metadata'] as Record<string, unknown>)['name'])}:${JSON.stringify((c['metadata'] as Record<string, unknown>)['labels'])}`,
        )
        .sort();
    const claims = await eventually(() => (claimNames().length === 2 ? claimNames() : undefined), 30_000);
    assert.deepEqual(claims, ['data-db-0:{"app":"db","tier":"storage"}', 'data-db-1:{"app":"db","tier":"storage"}']);
    const volume = await eventually(() => {
      const r = cl().srv.kubectl([
        'get',
        'pod',
        'db-1',
        '-o',
        'jsonpath={.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}',
      ]);
      return r.code === 0 && r.stdout ? r.stdout : undefined;
    }, 30_000);
    assert.equal(volume, 'data-db-1');
    const claimUid = cl().ok(['get', 'pvc', 'data-db-1', '-o', 'jsonpath={.metadata.uid}']).stdout;
    const podUid = cl().ok(['get', 'pod', 'db-1', '-o', 'jsonpath={.metadata.uid}']).stdout;
    cl().ok(['delete', 'pod', 'db-1', '--wait=false']);
    const back = await eventually(() => {
      const uid = cl().srv.kubectl(['get', 'pod', 'db-1', '-o', 'jsonpath={.metadata.uid}']).stdout;
      return uid && uid !== podUid ? uid : undefined;
    }, 40_000);
    assert.ok(back, 'db-1 came back');
    assert.equal(cl().ok(['get', 'pvc', 'data-db-1', '-o', 'jsonpath={.metadata.uid}']).stdout, claimUid, 'the same claim');
    cl().ok(['scale', 'statefulset', 'db', '--replicas=0']);
    const none = await eventually(() => (cl().items(['get', 'pods', '-l', 'app=db']).length === 0 ? true : undefined), 40_000);
    assert.ok(none);
    assert.deepEqual(claimNames().length, 2, 'Retain: the claims stay after scale down');
    cl().ok(['delete', 'statefulset', 'db']);
  }),
);

test(
  'bad StatefulSets are refused naming the field',
  T(30_000),
  run(() => {
    const bad = statefulSet('nginx:1') as { spec: Record<string, unknown> };
    bad.spec['podManagementPolicy'] = 'Sometimes';
    bad.spec['selector'] = { matchLabels: { app: 'other' } };
    const r = cl().srv.kubectl(['create', '-f', '-'], { input: JSON.stringify({ ...bad, metadata: { name: 'bad' } }) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.podManagementPolicy: Invalid value: "Sometimes": must be 'OrderedReady' or 'Parallel'/);
    assert.match(r.stderr, /spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/);
    const change = cl().srv.kubectl(['patch', 'sts', 'web', '-p', '{"spec":{"serviceName":"other"}}']);
    assert.notEqual(change.code, 0);
    assert.match(change.stderr, /spec: Forbidden: updates to statefulset spec for fields other than 'replicas'/);
  }),
);
