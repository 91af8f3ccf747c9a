import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeClass } from '../../../api/gen/types.js';
import { nullLogger } from '../../../base/log.js';
import { createAlgorithm } from '../../algorithm.js';
import { createDefaultRegistry, defaultProfile } from '../../default-profile.js';
import { bindingAnnotations } from '../../framework/binding-annotations.js';
import { createFramework } from '../../framework/framework.js';
import { createStaticSnapshot } from '../../framework/snapshot.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { createPodImageFacts } from '../../image-facts/pod-image-facts.js';
import { createFakeImageFacts, windowsEntries } from '../../testing/fake-image-facts.js';
import { info, mkNode, mkNodeInfo, mkWindowsNode, mkWindowsPod, passing, rc, runFilter } from '../../testing/fixtures.js';
import { create, NAME, REASON_WAITING } from './windows-isolation.js';
import { MISS_REASONS } from './misses.js';

const APP = 'contoso/app:1.4';

function setup(classes: RuntimeClass[] = []) {
  const source = createFakeImageFacts();
  const imageFacts = createPodImageFacts({ source, now: Date.now, log: nullLogger });
  const runtimeClass = (n: string) => classes.find((c) => c.metadata.name === n);
  const handle = { runtimeClass, imageFacts };
  const plugin = create({}, handle);
  const fw = createFramework(createDefaultRegistry(), defaultProfile(), handle);
  const schedule = (pod: ReturnType<typeof mkWindowsPod>, nodes: NodeInfo[]) =>
    createAlgorithm(fw, { random: () => 0 }).schedule(info(pod, classes), createStaticSnapshot(nodes));
  return { source, imageFacts, plugin, fw, schedule, classes };
}

const fleet = () => [
  mkNodeInfo(mkWindowsNode('w17763', '10.0.17763')),
  mkNodeInfo(mkWindowsNode('w20348', '10.0.20348')),
  mkNodeInfo(mkWindowsNode('w20348-hv', '10.0.20348', { hyperv: true })),
  mkNodeInfo(mkWindowsNode('w26100', '10.0.26100')),
  mkNodeInfo(mkNode('linux-1')),
];
const message = (o: { kind: string; message?: string }) =>
  o.kind === 'unschedulable' || o.kind === 'pending' ? (o.message ?? '') : o.kind;

test('Linux pods, HostProcess pods and pods without a facts source are skipped without a lookup', () => {
  const { source, plugin } = setup();
  source.known(APP, windowsEntries('10.0.20348.1'), true);
  assert.equal(runFilter(plugin, info(mkWindowsPod('lin', [APP], { spec: { os: { name: 'linux' } } })), fleet()).pre?.code, 'Skip');
  const hp = mkWindowsPod('hp', [APP], { spec: { hostNetwork: true, securityContext: { windowsOptions: { hostProcess: true } } } });
  assert.equal(runFilter(plugin, info(hp), fleet()).pre?.code, 'Skip');
  const native = mkWindowsPod('native', [APP], { spec: { runtimeClassName: 'process' } });
  assert.equal(runFilter(plugin, info(native, [rc('process', 'process')]), fleet()).pre?.code, 'Skip');
  assert.equal(source.peeks.length, 0);
  const bare = create({}, { runtimeClass: () => undefined });
  assert.equal(runFilter(bare, info(mkWindowsPod('w', [APP])), fleet()).pre?.code, 'Skip');
});

test('a fleet without Windows nodes: no registry is asked, NodeOS says why', () => {
  const { source, schedule } = setup();
  const out = schedule(mkWindowsPod('w', ['reg.example:5000/never:1']), [mkNodeInfo(mkNode('linux-1')), mkNodeInfo(mkNode('linux-2'))]);
  assert.match(message(out), /^0\/2 nodes are available: 2 node\(s\) didn't match Pod's OS \(windows\)\./);
  assert.equal(source.peeks.length, 0);
});

test('process isolation where the build allows it, Hyper-V on older images, never on newer ones', () => {
  const { source, plugin } = setup();
  source.known(APP, windowsEntries('10.0.20348.2700'), true);
  const r = runFilter(plugin, info(mkWindowsPod('p', [APP])), fleet());
  assert.equal(r.pre, undefined);
  // WS2022 runs process-isolated on WS2025 too
  assert.deepEqual(passing(r), ['w20348', 'w20348-hv', 'w26100', 'linux-1']);
  assert.equal(r.filter.get('w17763')?.reasons[0], MISS_REASONS['older-host']);
  assert.equal(r.filter.get('w17763')?.plugin, NAME);

  source.known('contoso/old:1', windowsEntries('10.0.17763.1'), true);
  const old = runFilter(plugin, info(mkWindowsPod('o', ['contoso/old:1'])), fleet());
  assert.deepEqual(passing(old), ['w17763', 'w20348-hv', 'linux-1']);
  assert.equal(old.filter.get('w20348')?.reasons[0], MISS_REASONS['needs-hyperv']);
  assert.equal(old.filter.get('w26100')?.reasons[0], MISS_REASONS['needs-hyperv']);
});

test('scoring prefers process isolation and the binding carries the choice', () => {
  const { source, schedule, fw } = setup();
  source.known('contoso/old:1', windowsEntries('10.0.17763.1'), true);
  const nodes = [mkNodeInfo(mkWindowsNode('w20348-hv', '10.0.20348', { hyperv: true })), mkNodeInfo(mkWindowsNode('w17763', '10.0.17763'))];
  const out = schedule(mkWindowsPod('o', ['contoso/old:1']), nodes);
  assert.equal(out.kind === 'scheduled' ? out.nodeName : message(out), 'w17763');
  if (out.kind !== 'scheduled') return;
  const pod = info(mkWindowsPod('o', ['contoso/old:1']));
  assert.equal(fw.runReserve(out.state, pod, out.nodeName), undefined);
  assert.deepEqual(bindingAnnotations(out.state), {
    'tandem.dev/isolation': 'process',
    'tandem.dev/isolation-reason': "process isolation: contoso/old:1 is built for the node's own build 10.0.17763",
  });
  fw.runUnreserve(out.state, pod, out.nodeName);
  assert.equal(bindingAnnotations(out.state), undefined);
  // only the Hyper-V node left: Hyper-V
  const hv = schedule(mkWindowsPod('o2', ['contoso/old:1']), [nodes[0] as NodeInfo]);
  assert.equal(hv.kind, 'scheduled');
  if (hv.kind !== 'scheduled') return;
  fw.runReserve(hv.state, pod, hv.nodeName);
  assert.equal(bindingAnnotations(hv.state)?.['tandem.dev/isolation'], 'hyperv');
  assert.match(
    bindingAnnotations(hv.state)?.['tandem.dev/isolation-reason'] ?? '',
    /^Hyper-V isolation: contoso\/old:1 is built for Windows 10\.0\.17763/,
  );
});

test('an image newer than every node: the summary counts, then the plain reason', () => {
  const { source, schedule } = setup();
  source.known(APP, windowsEntries('10.0.26100.1'), true);
  const nodes = [
    mkNodeInfo(mkWindowsNode('a', '10.0.17763')),
    mkNodeInfo(mkWindowsNode('b', '10.0.20348')),
    mkNodeInfo(mkWindowsNode('c', '10.0.20348', { hyperv: true })),
    mkNodeInfo(mkNode('linux-1')),
  ];
  assert.equal(
    message(schedule(mkWindowsPod('p', [APP]), nodes)),
    "0/4 nodes are available: 1 node(s) didn't match Pod's OS (windows), 3 node(s) run an older Windows build than the image. " +
      'image contoso/app:1.4 is built for Windows 10.0.26100; the 3 Windows nodes run 10.0.17763 and 10.0.20348 (older): ' +
      'add a node running 10.0.26100, or rebuild the image for 10.0.20348. ' +
      'preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.',
  );
});

test('an older image and nodes without Hyper-V, and a mix of misses', () => {
  const { source, schedule } = setup();
  source.known('contoso/old:1', windowsEntries('10.0.17763.1'), true);
  const newer = [mkNodeInfo(mkWindowsNode('b', '10.0.20348')), mkNodeInfo(mkWindowsNode('c', '10.0.26100'))];
  assert.match(
    message(schedule(mkWindowsPod('p', ['contoso/old:1']), newer)),
    new RegExp(
      '^0/2 nodes are available: 2 node\\(s\\) need Hyper-V isolation for this image and have none\\. ' +
        'image contoso/old:1 is built for Windows 10\\.0\\.17763; the 2 Windows nodes run 10\\.0\\.20348 and 10\\.0\\.26100 without Hyper-V: ' +
        'add Hyper-V \\(runhcs-wcow-hypervisor\\) to a node, or rebuild the image for 10\\.0\\.26100\\. preemption: ',
    ),
  );
  const mixed = [...newer, mkNodeInfo(mkWindowsNode('a1', '10.0.14393')), mkNodeInfo(mkWindowsNode('a2', '10.0.14393'))];
  assert.match(
    message(schedule(mkWindowsPod('p', ['contoso/old:1']), mixed)),
    new RegExp(
      '^0/4 nodes are available: 2 node\\(s\\) need Hyper-V isolation for this image and have none, 2 node\\(s\\) run an older Windows build than the image\\. ' +
        'image contoso/old:1 is built for Windows 10\\.0\\.17763; of the 4 Windows nodes, 2 run 10\\.0\\.14393 \\(older\\) and 2 run 10\\.0\\.20348 and 10\\.0\\.26100 without Hyper-V: ' +
        'add a node running 10\\.0\\.17763, add Hyper-V \\(runhcs-wcow-hypervisor\\) to a node, or rebuild the image for 10\\.0\\.26100\\. ',
    ),
  );
});

test('a node of another architecture, and an image with no Windows entry at all', () => {
  const { source, schedule } = setup();
  source.known(APP, windowsEntries('10.0.20348.1'), true);
  const arm = [mkNodeInfo(mkWindowsNode('arm', '10.0.20348', { arch: 'arm64' })), mkNodeInfo(mkWindowsNode('x', '10.0.20348'))];
  // the amd64 node takes it
  assert.equal((schedule(mkWindowsPod('p', [APP]), arm) as { nodeName?: string }).nodeName, 'x');
  assert.match(
    message(schedule(mkWindowsPod('p', [APP]), [arm[0] as NodeInfo])),
    /^0\/1 nodes are available: 1 node\(s\) have no Windows entry of the image for their architecture\. image contoso\/app:1\.4 is built for Windows 10\.0\.20348; the one Windows node runs on arm64: add a Windows node of amd64, or build the image for Windows on arm64\. /,
  );
  source.known('library/nginx:1', [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ]);
  assert.match(
    message(schedule(mkWindowsPod('n', ['library/nginx:1']), fleet())),
    /^0\/5 nodes are available: image library\/nginx:1 has no Windows entry \(it offers linux\/amd64, linux\/arm64\)\. to run it on Windows nodes, build it for Windows/,
  );
});

test('pins are checked against the same rules', () => {
  const { source, schedule, plugin } = setup([rc('runhcs-wcow-hypervisor', 'runhcs-wcow-hypervisor')]);
  source.known(APP, windowsEntries('10.0.20348.1'), true);
  // the legacy annotation asks for Hyper-V: only the Hyper-V node qualifies, though process would do elsewhere
  const legacy = mkWindowsPod('l', [APP]);
  legacy.metadata.annotations = { 'experimental.windows.kubernetes.io/isolation-type': 'hyperv' };
  const r = runFilter(plugin, info(legacy), fleet());
  assert.deepEqual(passing(r), ['w20348-hv', 'linux-1']);
  assert.equal(r.filter.get('w20348')?.reasons[0], MISS_REASONS['pin-hyperv']);
  assert.equal(r.filter.get('w17763')?.reasons[0], MISS_REASONS['older-host']);
  // process asked for, image older than the only node
  source.known('contoso/old:1', windowsEntries('10.0.17763.1'), true);
  const proc = mkWindowsPod('p', ['contoso/old:1']);
  proc.metadata.annotations = { 'tandem.dev/isolation': 'process' };
  assert.match(
    message(schedule(proc, [mkNodeInfo(mkWindowsNode('hv', '10.0.20348', { hyperv: true }))])),
    /^0\/1 nodes are available: 1 node\(s\) cannot run the image with the process isolation the pod asks for\. the pod asks for process isolation \(annotation tandem\.dev\/isolation: process\); image contoso\/old:1 is built for Windows 10\.0\.17763; the one Windows node runs 10\.0\.20348: add a node running 10\.0\.17763, rebuild the image for 10\.0\.20348, or drop the pin \(annotation tandem\.dev\/isolation: process\)\. /,
  );
  // two pins that disagree
  const both = mkWindowsPod('b', [APP], { spec: { runtimeClassName: 'runhcs-wcow-hypervisor' } });
  both.metadata.annotations = { 'tandem.dev/isolation': 'process' };
  assert.match(
    message(schedule(both, fleet())),
    /^0\/5 nodes are available: the pod asks for two isolations: hyperv by RuntimeClass "runhcs-wcow-hypervisor" .* and process by annotation/,
  );
  const bad = mkWindowsPod('x', [APP]);
  bad.metadata.annotations = { 'tandem.dev/isolation': 'vm' };
  assert.match(message(schedule(bad, fleet())), /annotation tandem\.dev\/isolation must be process or hyperv, not "vm"/);
});

test('facts not known yet: Pending with its own reason; a registry failure: unresolvable, named', async () => {
  const { source, schedule, imageFacts } = setup();
  const settled: string[][] = [];
  imageFacts.onSettled((keys) => settled.push(keys));
  const out = schedule(mkWindowsPod('p', ['reg.example:5000/app:2']), fleet());
  assert.equal(out.kind, 'pending');
  if (out.kind === 'pending') {
    assert.equal(out.reason, REASON_WAITING);
    assert.equal(out.message, 'waiting for the platforms of image reg.example:5000/app:2 from registry reg.example:5000');
  }
  source.known('reg.example:5000/app:2', windowsEntries('10.0.20348.1'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(settled, [['default/p']]);
  assert.equal(schedule(mkWindowsPod('p', ['reg.example:5000/app:2']), fleet()).kind, 'scheduled');

  source.fail('reg.example:5000/gone:1', 'ImageNotFound', 'registry reg.example:5000 answered 404 for gone:1 (MANIFEST_UNKNOWN)', true);
  assert.match(
    message(schedule(mkWindowsPod('g', ['reg.example:5000/gone:1']), fleet())),
    /^0\/5 nodes are available: the platforms of image reg\.example:5000\/gone:1 cannot be read from registry reg\.example:5000 \(ImageNotFound\)\. registry reg\.example:5000 answered 404 for gone:1 \(MANIFEST_UNKNOWN\)\. preemption: /,
  );
  // init containers count, ephemeral ones do not
  const withInit = mkWindowsPod('i', [APP], { spec: { initContainers: [{ name: 'init', image: 'contoso/init:1' }] } });
  source.known(APP, windowsEntries('10.0.20348.1'), true);
  const before = source.peeks.length;
  assert.equal(schedule(withInit, fleet()).kind, 'pending');
  assert.deepEqual(
    source.peeks.slice(before).map((p) => p.image),
    ['contoso/init:1', APP],
  );
});

test('a Hyper-V RuntimeClass with overhead: the autopilot checks that the pod fits with it', () => {
  const hvClass = rc('runhcs-wcow-hypervisor', 'runhcs-wcow-hypervisor', { overhead: { podFixed: { cpu: '3' } } });
  const { source, schedule } = setup([hvClass]);
  source.known('contoso/old:1', windowsEntries('10.0.17763.1'), true);
  const node = mkNodeInfo(mkWindowsNode('hv', '10.0.20348', { hyperv: true, cpu: '4' }));
  assert.equal(schedule(mkWindowsPod('small', ['contoso/old:1'], { cpu: '500m' }), [node]).kind, 'scheduled');
  assert.match(
    message(schedule(mkWindowsPod('big', ['contoso/old:1'], { cpu: '2' }), [node])),
    /^0\/1 nodes are available: 1 node\(s\) have no room for the Hyper-V overhead\. image contoso\/old:1 is built for Windows 10\.0\.17763; the one Windows node has no room for the Hyper-V overhead: free room on a node with Hyper-V\. /,
  );
});
