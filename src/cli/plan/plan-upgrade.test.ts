// The upgrade planner against a fleet of builds 17763, 20348 and 26100: which workloads keep
// process isolation, move to Hyper-V (and what that costs), cannot run (and why), or are unknown;
// grouping by Deployment through the ReplicaSet; the bad-input messages.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/gen/types.js';
import type { ImageFactsLookup } from '../../client/registry/image-facts.js';
import { planUpgrade, type PlanInput, type WorkloadPlan } from './plan-upgrade.js';
import { PlanInputError } from './plan-scope.js';
import { fleetNodes, HYPERV_RC, indexOf, onlyOn, owner, PROCESS_RC, replicaSet, winPod } from './testing/fleet.js';

const facts = new Map<string, ImageFactsLookup>([
  ['reg.example/web:1', indexOf('reg.example/web:1', ['10.0.17763'])],
  ['reg.example/multi:1', indexOf('reg.example/multi:1', ['10.0.17763', '10.0.26100'])],
  ['reg.example/agent:1', indexOf('reg.example/agent:1', ['10.0.17763', '10.0.20348', '10.0.26100'])],
  ['reg.example/ws2022:1', indexOf('reg.example/ws2022:1', ['10.0.20348'])],
  [
    'reg.example/gone:1',
    { state: 'failed', registry: 'reg.example', reason: 'ImageNotFound', message: 'manifest unknown: reg.example/gone:1' },
  ],
]);

/** Upgrading the three 17763 nodes (pool=blue) to 26100. */
function blueFleet(): Pick<PlanInput, 'nodes' | 'pods' | 'owners' | 'runtimeClasses' | 'facts'> {
  const pods: Pod[] = [
    // Deployment web: its only build, 17763, is gone after the upgrade: Hyper-V on w20-a and w26-a
    winPod('web-7d9-aaaaa', 'w17-a', { images: ['reg.example/web:1'], owner: { kind: 'ReplicaSet', name: 'web-7d9' } }),
    winPod('web-7d9-bbbbb', 'w17-b', { images: ['reg.example/web:1'], owner: { kind: 'ReplicaSet', name: 'web-7d9' } }),
    // Deployment multi: index 17763 + 26100, runs 17763 today
    winPod('multi-5f-ccccc', 'w17-c', { images: ['reg.example/multi:1'], owner: { kind: 'ReplicaSet', name: 'multi-5f' } }),
    // Deployment api: held to pool=blue, where no node has Hyper-V
    winPod('api-66-ddddd', 'w17-a', {
      images: ['reg.example/web:1'],
      owner: { kind: 'ReplicaSet', name: 'api-66' },
      spec: { nodeSelector: { pool: 'blue' } },
    }),
    // DaemonSet agent: one pod per node, index offers every build
    ...['w17-a', 'w17-b', 'w17-c'].map((n) =>
      winPod(`agent-${n}`, n, { images: ['reg.example/agent:1'], owner: { kind: 'DaemonSet', name: 'agent' }, spec: onlyOn(n) }),
    ),
    // Deployment pinned: its template pins process isolation
    winPod('pinned-1-eeeee', 'w17-b', {
      images: ['reg.example/web:1'],
      owner: { kind: 'ReplicaSet', name: 'pinned-1' },
      annotations: { 'tandem.dev/isolation': 'process' },
    }),
    // a bare pod: the scheduler recorded process; that is no pin
    winPod('tool', 'w17-c', { images: ['reg.example/web:1'], annotations: { 'tandem.dev/isolation': 'process' } }),
    // a Job whose image cannot be read
    winPod('nightly-xyz', 'w17-c', { images: ['reg.example/gone:1'], owner: { kind: 'Job', name: 'nightly' } }),
    // not affected: HostProcess, native process runtime, a Linux pod; not counted: a finished pod, a pod elsewhere
    winPod('hpc', 'w17-a', { spec: { securityContext: { windowsOptions: { hostProcess: true } }, hostNetwork: true } }),
    winPod('native', 'w17-a', { spec: { runtimeClassName: 'process' } }),
    { ...winPod('stray', 'w17-b'), spec: { nodeName: 'w17-b', containers: [{ name: 'c', image: 'busybox' }] } },
    winPod('done', 'w17-a', { images: ['reg.example/web:1'], phase: 'Succeeded' }),
    winPod('elsewhere', 'w20-a', { images: ['reg.example/web:1'] }),
  ];
  return {
    nodes: fleetNodes(),
    pods,
    owners: [
      replicaSet('web-7d9', 'web'),
      replicaSet('multi-5f', 'multi'),
      replicaSet('api-66', 'api'),
      replicaSet('pinned-1', 'pinned', { 'tandem.dev/isolation': 'process' }),
      owner('DaemonSet', 'agent'),
      owner('Job', 'nightly'),
    ],
    runtimeClasses: [HYPERV_RC, PROCESS_RC],
    facts,
  };
}

const find = (ws: WorkloadPlan[], kind: string, name: string): WorkloadPlan => {
  const w = ws.find((x) => x.kind === kind && x.name === name);
  assert.ok(w, `no row for ${kind}/${name}: ${ws.map((x) => `${x.kind}/${x.name}`).join(', ')}`);
  return w;
};

test('upgrading the 17763 nodes: Hyper-V moves, process kept, cannot run, unknown, with the overhead', () => {
  const plan = planUpgrade({ ...blueFleet(), selector: 'pool=blue', toBuild: '10.0.26100' });
  assert.deepEqual(
    plan.nodes.map((n) => `${n.name}@${n.build}`),
    ['w17-a@10.0.17763', 'w17-b@10.0.17763', 'w17-c@10.0.17763'],
  );

  // grouped by Deployment through the ReplicaSet; moves to Hyper-V where Hyper-V is
  const web = find(plan.workloads, 'Deployment', 'web');
  assert.equal(web.outcome, 'hyperv');
  assert.deepEqual(web.pods, ['web-7d9-aaaaa', 'web-7d9-bbbbb']);
  assert.deepEqual(web.nodes, ['w20-a', 'w26-a']);
  assert.deepEqual(web.now, [{ isolation: 'process', builds: ['10.0.17763'] }]);
  assert.deepEqual(web.after, { isolation: 'hyperv', builds: ['10.0.17763'] });
  assert.equal(web.movingToHyperV, 2);
  assert.deepEqual(web.overhead, { cpu: '500m', memory: '1Gi' });
  assert.match(web.reason, /Hyper-V isolation: reg\.example\/web:1 is built for Windows 10\.0\.17763/);

  // default: judged by the build it runs (17763), not by what its index offers
  assert.equal(find(plan.workloads, 'Deployment', 'multi').outcome, 'hyperv');

  // held to pool=blue, where nothing has Hyper-V after the upgrade
  const api = find(plan.workloads, 'Deployment', 'api');
  assert.equal(api.outcome, 'unschedulable');
  assert.deepEqual(api.nodes, []);
  assert.match(
    api.reason,
    /older than the node's 10\.0\.26100: it needs Hyper-V isolation, and the node has no runhcs-wcow-hypervisor handler \(w17-a, w17-b, w17-c\)/,
  );
  assert.ok(
    api.fixes.some((f) => /^enable Hyper-V isolation .* on w17-a, w17-b, w17-c$/.test(f)),
    api.fixes.join(' | '),
  );
  assert.ok(api.fixes.includes('rebuild reg.example/web:1 for Windows 10.0.26100'), api.fixes.join(' | '));
  assert.ok(api.fixes.includes('leave a node at 10.0.17763 out of the upgrade'), api.fixes.join(' | '));

  // a DaemonSet pod stays on its node; its current entry (17763) needs Hyper-V there, which it lacks,
  // and the plan points at the index's 26100 entry
  const agent = find(plan.workloads, 'DaemonSet', 'agent');
  assert.equal(agent.outcome, 'unschedulable');
  assert.equal(agent.pods.length, 3);
  // its pods, one per node, say it once, naming every node
  assert.match(agent.reason, /no runhcs-wcow-hypervisor handler \(w17-a, w17-b, w17-c\)$/);
  assert.equal(agent.fixes.filter((f) => f.startsWith('enable Hyper-V isolation')).length, 1);
  assert.ok(
    agent.fixes.includes('enable Hyper-V isolation (the runhcs-wcow-hypervisor handler) on w17-a, w17-b, w17-c'),
    agent.fixes.join(' | '),
  );
  assert.ok(
    agent.fixes.some((f) => f.includes('already offers Windows 10.0.26100') && f.includes('--from-image-index')),
    agent.fixes.join(' | '),
  );

  // the template's pin holds: process isolation is nowhere possible, and Hyper-V would be
  const pinned = find(plan.workloads, 'Deployment', 'pinned');
  assert.equal(pinned.outcome, 'unschedulable');
  assert.match(pinned.reason, /annotation tandem\.dev\/isolation: process asks for process isolation/);
  assert.ok(
    pinned.fixes.some((f) => f.startsWith('remove the process-isolation pin') && f.endsWith('w20-a, w26-a')),
    pinned.fixes.join(' | '),
  );

  // the scheduler's record on a bare pod is not a pin
  const tool = find(plan.workloads, 'Pod', 'tool');
  assert.equal(tool.outcome, 'hyperv');

  // facts that could not be read: unknown, with the registry's error
  const nightly = find(plan.workloads, 'Job', 'nightly');
  assert.equal(nightly.outcome, 'unknown');
  assert.match(nightly.reason, /manifest unknown: reg\.example\/gone:1 \(ImageNotFound\)/);
  const gone = plan.images.find((i) => i.image === 'reg.example/gone:1');
  assert.deepEqual(gone?.error, { reason: 'ImageNotFound', message: 'manifest unknown: reg.example/gone:1' });

  assert.equal(plan.unaffectedPods, 3);
  assert.deepEqual(plan.overhead, {
    runtimeClass: 'runhcs-wcow-hypervisor',
    perPod: { cpu: '250m', memory: '512Mi' },
    pods: 4,
    cpu: '1',
    memory: '2Gi',
  });
  assert.ok(!plan.workloads.some((w) => w.pods.includes('done') || w.pods.includes('elsewhere')));
});

test('--from-image-index: builds the index already offers keep process isolation', () => {
  const plan = planUpgrade({ ...blueFleet(), selector: 'pool=blue', toBuild: '10.0.26100', fromImageIndex: true });
  const multi = find(plan.workloads, 'Deployment', 'multi');
  assert.equal(multi.outcome, 'process');
  assert.deepEqual(multi.nodes, ['w17-a', 'w17-b', 'w17-c', 'w26-a']);
  assert.deepEqual(multi.after, { isolation: 'process', builds: ['10.0.26100'] });
  const agent = find(plan.workloads, 'DaemonSet', 'agent');
  assert.equal(agent.outcome, 'process');
  assert.deepEqual(agent.nodes, ['w17-a', 'w17-b', 'w17-c']);
  assert.equal(agent.movingToHyperV, 0);
  assert.equal(agent.overhead, undefined);
  // an image with nothing newer still moves
  assert.equal(find(plan.workloads, 'Deployment', 'web').outcome, 'hyperv');
});

test('a 20348 image on a node upgraded to 26100 keeps process isolation (the WS2022-on-WS2025 allowance)', () => {
  const plan = planUpgrade({
    nodes: fleetNodes(),
    pods: [
      winPod('ws-1', 'w20-b', {
        images: ['reg.example/ws2022:1'],
        owner: { kind: 'ReplicaSet', name: 'ws-1' },
        spec: { nodeSelector: { pool: 'red' } },
      }),
    ],
    owners: [replicaSet('ws-1', 'ws')],
    runtimeClasses: [HYPERV_RC],
    facts,
    selector: 'kubernetes.io/hostname=w20-b',
    toBuild: '10.0.26100',
  });
  const ws = find(plan.workloads, 'Deployment', 'ws');
  assert.equal(ws.outcome, 'process');
  assert.deepEqual(ws.nodes, ['w20-b']);
  assert.deepEqual(ws.after, { isolation: 'process', builds: ['10.0.20348'] });
  assert.match(ws.reason, /Windows 10\.0\.20348, which a 10\.0\.26100 node runs process-isolated/);
  assert.deepEqual(plan.overhead, {
    runtimeClass: 'runhcs-wcow-hypervisor',
    perPod: { cpu: '250m', memory: '512Mi' },
    pods: 0,
    cpu: '0',
    memory: '0',
  });
});

test('a hand-written build label is named when nothing matches it after the upgrade', () => {
  const plan = planUpgrade({
    nodes: fleetNodes().filter((n) => n.metadata.name !== 'w17-c'),
    pods: [
      winPod('old', 'w17-a', {
        images: ['reg.example/web:1'],
        spec: { nodeSelector: { 'node.kubernetes.io/windows-build': '10.0.17763' } },
      }),
    ],
    owners: [],
    runtimeClasses: [],
    facts,
    selector: 'pool=blue',
    toBuild: '10.0.26100',
  });
  const old = find(plan.workloads, 'Pod', 'old');
  assert.equal(old.outcome, 'unschedulable');
  assert.match(old.reason, /none of the 5 Windows node\(s\) passes .*: it asks for node\.kubernetes\.io\/windows-build 10\.0\.17763/);
  assert.ok(old.fixes[0]?.startsWith('drop the node.kubernetes.io/windows-build node selector'));
});

test('cordoned nodes elsewhere take nothing; the upgraded ones come back uncordoned', () => {
  const nodes = fleetNodes().map((n) =>
    n.metadata.name === 'w17-c' || n.metadata.name === 'w20-a'
      ? { ...n, spec: { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } }
      : n,
  );
  const plan = planUpgrade({
    nodes,
    pods: [winPod('w', 'w17-a', { images: ['reg.example/web:1'] })],
    owners: [],
    runtimeClasses: [],
    facts,
    selector: 'kubernetes.io/hostname in (w17-a, w17-c)',
    toBuild: '10.0.26100',
  });
  // w17-b keeps 17763 and is schedulable; w17-c is upgraded (so uncordoned) but no longer 17763
  assert.deepEqual(find(plan.workloads, 'Pod', 'w').nodes, ['w17-b']);
});

test('bad input: clear messages', () => {
  const base = { ...blueFleet(), selector: 'pool=blue', toBuild: '10.0.26100' };
  const fails = (over: Partial<PlanInput>, re: RegExp) =>
    assert.throws(
      () => planUpgrade({ ...base, ...over }),
      (e: unknown) => e instanceof PlanInputError && re.test(e.message),
    );
  fails(
    { toBuild: 'banana' },
    /^--to-build "banana" is not a Windows version that runs containers: give major\.minor\.build, e\.g\. 10\.0\.26100/,
  );
  fails({ toBuild: '6.3.9600' }, /--to-build "6\.3\.9600" is not a Windows version/);
  fails({ toBuild: '10.0.9200' }, /--to-build "10\.0\.9200" is not a Windows version that runs containers/);
  fails({ toBuild: '' }, /^--to-build is required/);
  fails({ selector: 'pool in (blue' }, /^--nodes "pool in \(blue" is not a label selector: /);
  fails({ selector: 'pool=purple' }, /^--nodes "pool=purple" matches none of the cluster's 7 node\(s\)$/);
  fails(
    { selector: 'pool' },
    /^--nodes "pool" selects node\(s\) that are not Windows nodes: lin-1 \(linux\); .*kubernetes\.io\/os=windows/,
  );
  const noBuild = fleetNodes();
  const w = noBuild[0];
  if (w) {
    delete w.metadata.labels?.['node.kubernetes.io/windows-build'];
    if (w.status?.nodeInfo) w.status.nodeInfo.kernelVersion = '';
  }
  fails({ nodes: noBuild }, /^node w17-a is a Windows node without a build/);
  // a build with a revision is kept as given
  assert.equal(planUpgrade({ ...base, toBuild: '10.0.26100.1742' }).toBuild, '10.0.26100.1742');
});

test('pins that disagree, and facts never read, are said plainly', () => {
  const plan = planUpgrade({
    nodes: fleetNodes(),
    pods: [
      winPod('both', 'w17-a', {
        images: ['reg.example/web:1'],
        annotations: { 'experimental.windows.kubernetes.io/isolation-type': 'hyperv', 'tandem.dev/isolation': 'hyperv' },
        spec: { runtimeClassName: 'proc-only' },
      }),
      winPod('unread', 'w17-a', { images: ['reg.example/never:1'] }),
    ],
    owners: [],
    runtimeClasses: [
      { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'proc-only' }, handler: 'runhcs-wcow-process' },
    ],
    facts,
    selector: 'pool=blue',
    toBuild: '10.0.26100',
  });
  const both = find(plan.workloads, 'Pod', 'both');
  assert.equal(both.outcome, 'unschedulable');
  assert.match(both.reason, /asks for two isolations/);
  const unread = find(plan.workloads, 'Pod', 'unread');
  assert.equal(unread.outcome, 'unknown');
  assert.match(unread.reason, /not read from the registry/);
});

test('an image without Windows entries cannot run; a tag that moved is unknown; init containers count', () => {
  const plan = planUpgrade({
    nodes: fleetNodes(),
    pods: [
      winPod('linux-image', 'w17-a', { images: ['reg.example/linux-only:1'] }),
      winPod('moved', 'w17-a', { images: ['reg.example/moved:1'] }),
      winPod('with-init', 'w17-b', {
        images: ['reg.example/multi:1'],
        spec: { initContainers: [{ name: 'init', image: 'reg.example/web:1' }] },
      }),
    ],
    owners: [],
    runtimeClasses: [],
    facts: new Map([
      ...facts,
      ['reg.example/linux-only:1', indexOf('reg.example/linux-only:1', [])],
      ['reg.example/moved:1', indexOf('reg.example/moved:1', ['10.0.26100'])],
    ]),
    selector: 'pool=blue',
    toBuild: '10.0.26100',
    fromImageIndex: true,
  });
  const linux = find(plan.workloads, 'Pod', 'linux-image');
  assert.equal(linux.outcome, 'unschedulable');
  assert.match(linux.reason, /^image reg\.example\/linux-only:1 has no Windows entry \(it offers linux\/amd64\)/);
  // --from-image-index judges the moved tag by what it offers now
  assert.equal(find(plan.workloads, 'Pod', 'moved').outcome, 'process');
  // the init container's image has 17763 only: the pod needs Hyper-V for both, on one sandbox
  const init = find(plan.workloads, 'Pod', 'with-init');
  assert.equal(init.outcome, 'hyperv');
  assert.deepEqual(init.images, ['reg.example/multi:1', 'reg.example/web:1']);

  const byRun = planUpgrade({
    nodes: fleetNodes(),
    pods: [winPod('moved', 'w17-a', { images: ['reg.example/moved:1'] })],
    owners: [],
    runtimeClasses: [],
    facts: new Map([['reg.example/moved:1', indexOf('reg.example/moved:1', ['10.0.26100'])]]),
    selector: 'pool=blue',
    toBuild: '10.0.26100',
  });
  const moved = find(byRun.workloads, 'Pod', 'moved');
  assert.equal(moved.outcome, 'unknown');
  assert.match(moved.reason, /has no entry that its node \(Windows 10\.0\.17763, amd64\) runs with process isolation.*--from-image-index$/);
});
