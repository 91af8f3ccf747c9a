// Issue 3 acceptance, end to end with the real kubectl: `tandem server` (scheduler and controllers)
// plus `tandem sim` processes with 20 Linux and 10 Windows nodes (builds 10.0.17763 and 10.0.20348).
// Deployments on both OSes and their rollouts, a per-OS DaemonSet, a Job, cordon + drain, a node whose
// heartbeats stop, and a pod that fits nowhere.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pushIndex, startRegistry, windowsStandIn, type Registry } from '../images/registry.js';
import { kubectlAvailable } from './harness.js';
import { at, SKIP_MESSAGE } from './kubectl-support.js';
import { deployment, eventually, nodeOs, podView, runningReady, startCluster, type Cluster, type PodView } from './cluster-fleet.js';

const LINUX_NODES = 20;
const WINDOWS_NODES = 10;
const NODES = LINUX_NODES + WINDOWS_NODES;
const T = (ms: number) => ({ timeout: ms });
const RENEW = ['--lease-renew-ms', '1000'];

let c: Cluster | undefined;
let reg: Registry | undefined;
let regDir = '';
// Windows images live in a local registry: the scheduler reads their indexes (the isolation autopilot)
const IIS = () => `${reg?.host ?? ''}/windows/servercore/iis:ltsc2019-2022`;
const NANO = () => `${reg?.host ?? ''}/windows/nanoserver:ltsc2019-2022`;
const cl = () => {
  if (!c) throw new Error('cluster not started');
  return c;
};

before(async () => {
  if (!kubectlAvailable()) return;
  regDir = mkdtempSync(join(tmpdir(), 'tandem-cluster-registry-'));
  reg = await startRegistry({ dir: regDir });
  for (const repo of ['windows/servercore/iis', 'windows/nanoserver'])
    await pushIndex(reg.url, repo, 'ltsc2019-2022', windowsStandIn(repo, ['10.0.17763.6054', '10.0.20348.2655']));
  // node grace 4 s (so a dead node is noticed quickly), leases renewed every second
  c = await startCluster({ TANDEM_NODE_GRACE_MS: '4000' }, [
    ['--nodes', String(LINUX_NODES), '--os', 'linux', '--name-prefix', 'lin-', ...RENEW],
    ['--nodes', '5', '--os', 'windows', '--windows-build', '10.0.17763', '--name-prefix', 'win2019-', ...RENEW],
    ['--nodes', '5', '--os', 'windows', '--windows-build', '10.0.20348', '--name-prefix', 'win2022-', ...RENEW],
  ]);
});
after(async () => {
  await c?.stop();
  await reg?.stop();
  if (regDir) rmSync(regDir, { recursive: true, force: true });
});

const run = (fn: () => Promise<void> | void) => async (t: { skip(m: string): void }) => {
  if (!kubectlAvailable()) {
    t.skip(SKIP_MESSAGE);
    return;
  }
  await fn();
};

const pods = (selector: string): PodView[] => cl().items(['get', 'pods', '-l', selector]).map(podView);
const rsOf = (app: string) =>
  cl()
    .items(['get', 'rs', '-l', `app=${app}`])
    .map((r) => ({
      name: String(at(r, 'metadata', 'name')),
      replicas: Number(at(r, 'spec', 'replicas')),
      image: String(at(r, 'spec', 'template', 'spec', 'containers', 0, 'image')),
    }));
const rollout = (name: string) => cl().ok(['rollout', 'status', `deployment/${name}`, '--timeout=60s'], { timeoutMs: 70_000 });

/** Every pod of `app` (exactly `n`, none terminating) Running, Ready and on a node of `os`. */
async function allOnOs(app: string, n: number, os: string): Promise<PodView[]> {
  const osOf = nodeOs(cl());
  const got = await eventually(() => {
    const ps = pods(`app=${app}`);
    return ps.length === n && ps.every(runningReady) ? ps : false;
  }, 30_000);
  const ps = got || pods(`app=${app}`);
  assert.equal(ps.length, n, `${app}: ${n} pods expected, got ${ps.length}: ${JSON.stringify(ps)}`);
  for (const p of ps) {
    assert.ok(runningReady(p), `${app}: pod ${p.name} is ${p.phase}, ready=${p.ready}`);
    assert.equal(osOf.get(p.node), os, `${app}: pod ${p.name} on node ${p.node} (${osOf.get(p.node) ?? 'unknown'}), wanted ${os}`);
  }
  return ps;
}

test(
  'the fleet: 20 Linux and 10 Windows sim nodes, Ready, with their OS and build labels',
  T(30_000),
  run(async () => {
    const ready = await eventually(() => {
      const ns = cl().items(['get', 'nodes']);
      const ok = ns.filter((n) =>
        ((at(n, 'status', 'conditions') as { type: string; status: string }[] | undefined) ?? []).some(
          (x) => x.type === 'Ready' && x.status === 'True',
        ),
      );
      return ok.length === NODES ? ns : false;
    }, 20_000);
    assert.ok(ready, 'all 30 nodes Ready');
    const labels = (ready as Record<string, unknown>[]).map((n) => at(n, 'metadata', 'labels') as Record<string, string>);
    assert.equal(labels.filter((l) => l['kubernetes.io/os'] === 'linux').length, LINUX_NODES);
    assert.equal(labels.filter((l) => l['kubernetes.io/os'] === 'windows').length, WINDOWS_NODES);
    assert.equal(
      labels.filter((l) => l['node.kubernetes.io/windows-build'] === '10.0.17763' && l['kubernetes.io/hostname']?.startsWith('win2019-'))
        .length,
      5,
    );
    assert.equal(
      labels.filter((l) => l['node.kubernetes.io/windows-build'] === '10.0.20348' && l['kubernetes.io/hostname']?.startsWith('win2022-'))
        .length,
      5,
    );
  }),
);

test(
  'Linux (60) and Windows (30) Deployments roll out, each pod on its OS',
  T(90_000),
  run(async () => {
    cl().ok(['apply', '-f', '-'], { input: deployment('web', 60, 'nginx:1.25') });
    cl().ok(['apply', '-f', '-'], {
      input: deployment('iis', 30, IIS(), {
        nodeSelector: { 'kubernetes.io/os': 'windows' },
      }),
    });
    assert.match(rollout('web').stdout, /deployment "web" successfully rolled out/);
    assert.match(rollout('iis').stdout, /deployment "iis" successfully rolled out/);
    await allOnOs('web', 60, 'linux');
    const win = await allOnOs('iis', 30, 'windows');
    // both Windows builds take pods
    assert.ok(
      win.some((p) => p.node.startsWith('win2019-')) && win.some((p) => p.node.startsWith('win2022-')),
      'pods on both Windows builds',
    );
    const d = cl().json(['get', 'deployment', 'web']);
    assert.equal(at(d, 'status', 'readyReplicas'), 60);
    assert.equal(at(d, 'status', 'updatedReplicas'), 60);
  }),
);

let origRs = '';
let nextRs = '';

test(
  'kubectl set image: a new ReplicaSet takes over and the old one is scaled to 0',
  T(60_000),
  run(async () => {
    const [orig] = rsOf('web');
    assert.ok(orig, 'the first ReplicaSet');
    assert.equal(orig.replicas, 60);
    origRs = orig.name;
    cl().ok(['set', 'image', 'deployment/web', 'main=nginx:1.26']);
    rollout('web');
    const rs = rsOf('web');
    assert.equal(rs.length, 2, `two ReplicaSets after set image: ${JSON.stringify(rs)}`);
    const next = rs.find((r) => r.name !== orig.name);
    nextRs = next?.name ?? '';
    assert.equal(next?.image, 'nginx:1.26');
    assert.equal(next?.replicas, 60);
    assert.equal(rs.find((r) => r.name === orig.name)?.replicas, 0, 'the old ReplicaSet is scaled to 0');
    const after = await allOnOs('web', 60, 'linux');
    assert.ok(
      after.every((p) => p.image === 'nginx:1.26' && p.owner === next?.name),
      'every pod runs the new image from the new ReplicaSet',
    );
  }),
);

test(
  'kubectl rollout undo goes back to the original template and ReplicaSet',
  T(60_000),
  run(async () => {
    cl().ok(['rollout', 'undo', 'deployment/web']);
    rollout('web');
    assert.equal(at(cl().json(['get', 'deployment', 'web']), 'spec', 'template', 'spec', 'containers', 0, 'image'), 'nginx:1.25');
    const undone = await allOnOs('web', 60, 'linux');
    assert.ok(
      undone.every((p) => p.image === 'nginx:1.25'),
      'every pod runs the original image',
    );
    const rs = rsOf('web');
    assert.equal(
      rs.find((r) => r.name === origRs)?.replicas,
      60,
      `the original ReplicaSet ${origRs} is scaled up again: ${JSON.stringify(rs)}`,
    );
    assert.equal(rs.find((r) => r.name === nextRs)?.replicas, 0);
    assert.equal(rs.length, 2, `undo reuses the original ReplicaSet instead of making a third: ${JSON.stringify(rs)}`);
  }),
);

test(
  'kubectl rollout restart replaces every pod',
  T(60_000),
  run(async () => {
    const before = new Set(pods('app=web').map((p) => p.name));
    assert.equal(before.size, 60);
    cl().ok(['rollout', 'restart', 'deployment/web']);
    rollout('web');
    const restarted = await allOnOs('web', 60, 'linux');
    assert.equal(restarted.filter((p) => before.has(p.name)).length, 0, 'all pod names change');
    assert.ok(
      at(cl().json(['get', 'deployment', 'web']), 'spec', 'template', 'metadata', 'annotations', 'kubectl.kubernetes.io/restartedAt'),
    );
  }),
);

test(
  'scale to 0 and back',
  T(60_000),
  run(async () => {
    cl().ok(['scale', 'deployment/web', '--replicas=0']);
    rollout('web');
    assert.ok(await eventually(() => pods('app=web').length === 0, 60_000), `scaled to 0: pods left ${JSON.stringify(pods('app=web'))}`);
    assert.equal(at(cl().json(['get', 'deployment', 'web']), 'status', 'replicas') ?? 0, 0);
    cl().ok(['scale', 'deployment/web', '--replicas=60']);
    rollout('web');
    await allOnOs('web', 60, 'linux');
  }),
);

test(
  'deleting a Deployment removes its ReplicaSets and pods',
  T(60_000),
  run(async () => {
    assert.ok(rsOf('web').length >= 1);
    cl().ok(['delete', 'deployment', 'web']);
    const gone = await eventually(() => rsOf('web').length === 0 && pods('app=web').length === 0, 40_000);
    assert.ok(gone, `ReplicaSets left: ${rsOf('web').length}, pods left: ${pods('app=web').length}`);
  }),
);

test(
  'a DaemonSet with a Windows nodeSelector runs one pod on each Windows node and none elsewhere',
  T(60_000),
  run(async () => {
    cl().ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'winagent' },
        spec: {
          selector: { matchLabels: { app: 'winagent' } },
          template: {
            metadata: { labels: { app: 'winagent' } },
            spec: {
              nodeSelector: { 'kubernetes.io/os': 'windows' },
              containers: [{ name: 'main', image: NANO() }],
            },
          },
        },
      }),
    });
    cl().ok(['rollout', 'status', 'daemonset/winagent', '--timeout=40s'], { timeoutMs: 50_000 });
    const ps = await allOnOs('winagent', WINDOWS_NODES, 'windows');
    assert.equal(new Set(ps.map((p) => p.node)).size, WINDOWS_NODES, 'one pod per Windows node');
    const ds = cl().json(['get', 'daemonset', 'winagent']);
    assert.equal(at(ds, 'status', 'desiredNumberScheduled'), WINDOWS_NODES);
    assert.equal(at(ds, 'status', 'numberReady'), WINDOWS_NODES);
  }),
);

test(
  'a Job of 5 completions reaches Complete',
  T(60_000),
  run(() => {
    cl().ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'count' },
        spec: {
          completions: 5,
          parallelism: 2,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['true'] }] } },
        },
      }),
    });
    cl().ok(['wait', '--for=condition=complete', 'job/count', '--timeout=45s'], { timeoutMs: 55_000 });
    const job = cl().json(['get', 'job', 'count']);
    assert.equal(at(job, 'status', 'succeeded'), 5);
    const done = cl().items(['get', 'pods', '-l', 'job-name=count']).map(podView);
    assert.equal(done.filter((p) => p.phase === 'Succeeded').length, 5);
  }),
);

test(
  'cordon + drain empties a node and its pods come back elsewhere',
  T(90_000),
  run(async () => {
    cl().ok(['apply', '-f', '-'], { input: deployment('spread', 40, 'nginx:1.25', { terminationGracePeriodSeconds: 1 }) });
    rollout('spread');
    const ps = await allOnOs('spread', 40, 'linux');
    const counts = new Map<string, number>();
    for (const p of ps) counts.set(p.node, (counts.get(p.node) ?? 0) + 1);
    const [victim] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
    assert.ok(victim, 'a node with pods');
    cl().ok(['cordon', victim]);
    assert.equal(at(cl().json(['get', 'node', victim]), 'spec', 'unschedulable'), true);
    cl().ok(['drain', victim, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s'], { timeoutMs: 70_000 });
    const onVictim = () =>
      cl()
        .items(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${victim}`])
        .map(podView);
    // the drained pods may still be finishing their (1 s) graceful deletion when drain returns
    const empty = await eventually(() => onVictim().length === 0, 15_000);
    assert.ok(empty, `node ${victim} still has pods: ${JSON.stringify(onVictim())}`);
    rollout('spread');
    const back = await allOnOs('spread', 40, 'linux');
    assert.equal(back.filter((p) => p.node === victim).length, 0, 'nothing lands on the cordoned node');
    cl().ok(['uncordon', victim]);
    cl().ok(['delete', 'deployment', 'spread']);
  }),
);

test(
  'a pod that fits nowhere stays Pending and describe shows why',
  T(40_000),
  run(async () => {
    cl().ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'huge' },
        spec: { containers: [{ name: 'main', image: 'nginx:1.25', resources: { requests: { cpu: '1000' } } }] },
      }),
    });
    const ev = await eventually(() => {
      const r = cl().ok(['describe', 'pod', 'huge']);
      return /FailedScheduling/.test(r.stdout) ? r.stdout : false;
    }, 20_000);
    assert.ok(ev, 'a FailedScheduling event');
    assert.match(ev as string, /Status:\s+Pending/);
    assert.match(ev as string, new RegExp(`0/${NODES} nodes are available: .*Insufficient cpu`));
    const p = cl().json(['get', 'pod', 'huge']);
    assert.equal(at(p, 'spec', 'nodeName'), undefined);
    const cond = (at(p, 'status', 'conditions') as { type: string; status: string; reason?: string; message?: string }[]).find(
      (x) => x.type === 'PodScheduled',
    );
    assert.equal(cond?.status, 'False');
    assert.equal(cond?.reason, 'Unschedulable');
    assert.match(cond?.message ?? '', new RegExp(`^0/${NODES} nodes are available: `));
    cl().ok(['delete', 'pod', 'huge', '--wait=false']);
  }),
);

test(
  'a node whose heartbeats stop turns NotReady, is tainted, and its pods are evicted and replaced',
  T(90_000),
  run(async () => {
    // only the doomed node takes new pods while the fragile Deployment is placed
    const doomed = await cl().addSim(['--nodes', '1', '--os', 'linux', '--name-prefix', 'doomed-', '--labels', 'e2e/doomed=yes', ...RENEW]);
    assert.ok(await eventually(() => nodeOs(cl()).has('doomed-0'), 10_000));
    cl().ok(['cordon', '-l', 'e2e/doomed!=yes']);
    const tolerations = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }];
    cl().ok(['apply', '-f', '-'], { input: deployment('fragile', 3, 'nginx:1.25', { tolerations, terminationGracePeriodSeconds: 1 }) });
    rollout('fragile');
    const first = pods('app=fragile');
    assert.ok(
      first.every((p) => p.node === 'doomed-0' && runningReady(p)),
      `fragile pods on doomed-0: ${JSON.stringify(first)}`,
    );
    cl().ok(['uncordon', '-l', 'e2e/doomed!=yes']);

    await doomed.kill();
    const tainted = await eventually(() => {
      const n = cl().json(['get', 'node', 'doomed-0']);
      const ready = ((at(n, 'status', 'conditions') as { type: string; status: string }[] | undefined) ?? []).find(
        (x) => x.type === 'Ready',
      );
      const taints = (at(n, 'spec', 'taints') as { key: string; effect: string }[] | undefined) ?? [];
      return ready?.status === 'Unknown' && taints.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute')
        ? n
        : false;
    }, 20_000);
    assert.ok(tainted, 'doomed-0 turns Unknown with the unreachable NoExecute taint');
    assert.match(cl().ok(['get', 'node', 'doomed-0']).stdout, /doomed-0\s+NotReady/);

    const old = new Set(first.map((p) => p.name));
    const replaced = await eventually(() => {
      const ps = pods('app=fragile');
      const live = ps.filter((p) => !p.deleting);
      return live.length === 3 && live.every((p) => runningReady(p) && !old.has(p.name) && p.node !== 'doomed-0') ? ps : false;
    }, 40_000);
    assert.ok(replaced, `replacements Running elsewhere: ${JSON.stringify(pods('app=fragile'))}`);
    // the evicted pods go once their grace period has passed on the unreachable node
    assert.ok(await eventually(() => pods('app=fragile').every((p) => !old.has(p.name)), 30_000), 'evicted pods are removed');
  }),
);
