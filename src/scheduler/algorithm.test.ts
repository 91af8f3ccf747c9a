import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAlgorithm } from './algorithm.js';
import { createSchedulerCache } from './cache.js';
import { createDefaultRegistry, defaultProfile } from './default-profile.js';
import { createFramework } from './framework/framework.js';
import { info, mkNode, mkPod, mkWindowsNode, mkWindowsPod } from './testing/fixtures.js';
import { createFakeImageFacts, windowsEntries } from './testing/fake-image-facts.js';
import { createPodImageFacts } from './image-facts/pod-image-facts.js';
import { nullLogger } from '../base/log.js';

const setup = (n: number, win = 0) => {
  const cache = createSchedulerCache();
  for (let i = 0; i < n; i++) cache.upsertNode(mkNode(`lin-${i}`));
  for (let i = 0; i < win; i++) cache.upsertNode(mkNode(`win-${i}`, { labels: { 'kubernetes.io/os': 'windows' } }));
  const fw = createFramework(createDefaultRegistry(), defaultProfile(), { runtimeClass: () => undefined });
  return { cache, algo: createAlgorithm(fw) };
};

test('windows pods land on windows nodes; the aggregated message names each reason', () => {
  const { cache, algo } = setup(20, 10);
  for (let i = 0; i < 30; i++) {
    const pi = info(mkPod(`w${i}`, { cpu: '100m', spec: { nodeSelector: { 'kubernetes.io/os': 'windows' } } }));
    const out = algo.schedule(pi, cache);
    assert.equal(out.kind, 'scheduled');
    if (out.kind === 'scheduled') {
      assert.match(out.nodeName, /^win-/);
      cache.assumePod(pi, out.nodeName);
    }
  }
  const big = algo.schedule(info(mkPod('big', { cpu: '100' })), cache);
  assert.equal(big.kind, 'unschedulable');
  if (big.kind === 'unschedulable')
    assert.match(
      big.message,
      /^0\/30 nodes are available: 10 node\(s\) didn't match Pod's OS \(linux\), 20 Insufficient cpu\. preemption:/,
    );
  const both = algo.schedule(info(mkPod('both', { cpu: '100', spec: { nodeSelector: { 'kubernetes.io/os': 'windows' } } })), cache);
  assert.ok(
    both.kind === 'unschedulable' &&
      both.message.startsWith("0/30 nodes are available: 10 Insufficient cpu, 20 node(s) didn't match Pod's node affinity/selector."),
  );
  const os = algo.schedule(info(mkPod('os', { spec: { os: { name: 'windows' }, nodeSelector: { pool: 'x' } } })), cache);
  assert.ok(os.kind === 'unschedulable' && os.message.includes("30 node(s) didn't match Pod's node affinity/selector"));
  const osOnly = algo.schedule(info(mkPod('os2', { cpu: '100m', spec: { os: { name: 'windows' } } })), cache);
  assert.ok(osOnly.kind === 'scheduled' && osOnly.nodeName.startsWith('win-'));
});

test('large clusters stop after enough feasible nodes and resume round-robin', () => {
  const { cache, algo } = setup(5000);
  const a = algo.schedule(info(mkPod('a', { cpu: '100m' })), cache);
  assert.ok(a.kind === 'scheduled');
  if (a.kind === 'scheduled') {
    assert.equal(a.feasibleNodes, 500);
    assert.equal(a.evaluatedNodes, 500);
  }
  assert.equal(algo.nextStartNodeIndex(), 500);
  algo.schedule(info(mkPod('b', { cpu: '100m' })), cache);
  assert.equal(algo.nextStartNodeIndex(), 1000);
});

test('assumed pods use up resources; forgetting frees them', () => {
  const { cache, algo } = setup(1);
  const p1 = info(mkPod('p1', { cpu: '3' }));
  const out = algo.schedule(p1, cache);
  assert.ok(out.kind === 'scheduled');
  cache.assumePod(p1, 'lin-0');
  assert.equal(algo.schedule(info(mkPod('p2', { cpu: '2' })), cache).kind, 'unschedulable');
  cache.forgetPod(p1.key);
  assert.equal(algo.schedule(info(mkPod('p2', { cpu: '2' })), cache).kind, 'scheduled');
  // confirmation by the informer keeps it accounted, and a later forget is a no-op
  cache.assumePod(p1, 'lin-0');
  cache.addPod(p1, 'lin-0');
  cache.forgetPod(p1.key);
  assert.equal(cache.get('lin-0')?.requested.milliCPU, 3000);
});

test('algorithm-only throughput at 5,000 nodes (figure printed, not asserted)', () => {
  const { cache, algo } = setup(5000);
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const pi = info(mkPod(`t${i}`, { cpu: '100m', memory: '128Mi' }));
    const out = algo.schedule(pi, cache);
    if (out.kind === 'scheduled') cache.assumePod(pi, out.nodeName);
  }
  const ms = performance.now() - t0;
  assert.equal(cache.podCount(), n);
  console.log(`# algorithm only: ${n} pods on 5000 nodes in ${ms.toFixed(0)} ms = ${Math.round((n * 1000) / ms)} pods/s`);
});

test('algorithm-only throughput of Windows pods at 5,000 mixed-build nodes, with and without the autopilot (figures printed)', () => {
  const builds = ['10.0.17763', '10.0.20348', '10.0.26100'];
  const source = createFakeImageFacts();
  const images = ['contoso/a:1', 'contoso/b:1', 'contoso/c:1', 'contoso/d:1'];
  source.known('contoso/a:1', windowsEntries('10.0.17763.1'), true);
  source.known('contoso/b:1', windowsEntries('10.0.20348.1'), true);
  source.known('contoso/c:1', windowsEntries('10.0.17763.1', '10.0.20348.1', '10.0.26100.1'), true);
  source.known('contoso/d:1', windowsEntries('10.0.26100.1'), true);
  const run = (autopilot: boolean) => {
    const cache = createSchedulerCache();
    for (let i = 0; i < 5000; i++) cache.upsertNode(mkWindowsNode(`win-${i}`, builds[i % 3] as string, { hyperv: i % 4 === 0 }));
    const imageFacts = autopilot ? createPodImageFacts({ source, now: Date.now, log: nullLogger }) : undefined;
    const fw = createFramework(createDefaultRegistry(), defaultProfile(), {
      runtimeClass: () => undefined,
      ...(imageFacts ? { imageFacts } : {}),
    });
    const algo = createAlgorithm(fw);
    const n = 2000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const pi = info(mkWindowsPod(`t${i}`, [images[i % images.length] as string], { cpu: '100m', memory: '128Mi' }));
      const out = algo.schedule(pi, cache);
      if (out.kind === 'scheduled') cache.assumePod(pi, out.nodeName);
    }
    assert.equal(cache.podCount(), n);
    return (n * 1000) / (performance.now() - t0);
  };
  run(true); // warm up
  const off = run(false);
  const on = run(true);
  console.log(
    `# algorithm only, Windows pods on 5000 nodes: ${Math.round(off)} pods/s without the autopilot, ${Math.round(on)} with (${Math.round((100 * on) / off)}%)`,
  );
});
