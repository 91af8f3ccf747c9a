// The pod network loop against a fake Node collection: first with a recording programmer (it waits
// for this node's address and range, ignores heartbeats, batches, retries, cleans up), then with
// the real programmer in namespaces: Nodes appearing and leaving in the API open and close the path
// between two pods.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger, nullLogger } from '../../base/log.js';
import { createFakeApi, type FakeApi } from '../../client/testing/fake-api.js';
import type { PodNetPlan } from './plan.js';
import type { ApplyResult, PodNetProgrammer } from './programmer.js';
import { startPodNetwork } from './runner.js';
import { createTestCluster, netnsUnavailable, type TestCluster } from './testing/cluster-netns.js';
import { mkNode } from './testing/objects.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

interface Recording extends PodNetProgrammer {
  plans: PodNetPlan[];
  failNext: number;
  cleaned: number;
}
function recording(): Recording {
  const none: ApplyResult = {
    routesSet: 0,
    routesRemoved: 0,
    fdbSet: 0,
    fdbRemoved: 0,
    neighSet: 0,
    neighRemoved: 0,
    deviceCreated: false,
    masqueradeLoaded: false,
  };
  const r: Recording = {
    plans: [],
    failNext: 0,
    cleaned: 0,
    hostAddresses: async () => [{ address: '192.168.1.1', prefix: 24, dev: 'eth0' }],
    async apply(plan) {
      if (r.failNext > 0) {
        r.failNext--;
        throw new Error('injected failure');
      }
      r.plans.push(plan);
      return none;
    },
    async cleanup() {
      r.cleaned++;
    },
  };
  return r;
}

const heartbeat = (api: FakeApi, name: string, ip: string, cidr: string, n: number) => {
  const node = mkNode(name, ip, cidr);
  node.status!.conditions = [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date(1_700_000_000_000 + n * 1000).toISOString() }];
  api.upsert(node);
};

describe('startPodNetwork with a recording programmer', () => {
  it('waits for its own Node, then routes peers; heartbeats cause no work', async () => {
    const api = createFakeApi('Node');
    api.upsert(mkNode('b', '192.168.1.2', '10.42.1.0/24'));
    api.upsert(mkNode('a', '192.168.1.1', undefined));
    const programmer = recording();
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), level: 'info' });
    const net = startPodNetwork({ client: api.client, nodeName: 'a', clusterCidr: '10.42.0.0/16', programmer, log, minSyncMs: 20 });
    try {
      await until(() => lines.some((l) => l.includes('pod network waits for a pod CIDR')));
      assert.equal(programmer.plans.length, 0);
      api.upsert(mkNode('a', '192.168.1.1', '10.42.0.0/24'));
      await net.synced();
      assert.deepEqual(
        programmer.plans.at(-1)!.direct.map((d) => d.dst),
        ['10.42.1.0/24'],
      );
      assert.deepEqual(programmer.plans.at(-1)!.masquerade, { podCidr: '10.42.0.0/24', clusterCidr: '10.42.0.0/16' });
      const applies = programmer.plans.length;
      for (let i = 0; i < 10; i++) heartbeat(api, 'b', '192.168.1.2', '10.42.1.0/24', i);
      await sleep(150);
      assert.equal(programmer.plans.length, applies, 'heartbeats do not re-plan');
      for (let i = 3; i < 13; i++) api.upsert(mkNode(`n${i}`, `192.168.1.${i}`, `10.42.${i}.0/24`));
      await until(() => programmer.plans.at(-1)!.direct.length === 11);
      assert.ok(programmer.plans.length - applies <= 3, `${programmer.plans.length - applies} applies for a burst of 10 nodes`);
      api.remove('b');
      await until(() => !programmer.plans.at(-1)!.direct.some((d) => d.node === 'b'));
      assert.deepEqual(net.stats(), { applies: programmer.plans.length, failures: 0, direct: 10, vxlan: 0, skipped: 0 });
    } finally {
      await net.stop({ cleanup: true });
    }
    assert.equal(programmer.cleaned, 1);
  });

  it('retries a failed apply and logs why', async () => {
    const api = createFakeApi('Node');
    api.upsert(mkNode('a', '192.168.1.1', '10.42.0.0/24'));
    const programmer = recording();
    programmer.failNext = 2;
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), level: 'info' });
    const net = startPodNetwork({ client: api.client, nodeName: 'a', programmer, log, minSyncMs: 10, retryMs: { initial: 30, max: 60 } });
    try {
      await net.synced();
      assert.equal(net.stats().failures, 2);
      assert.equal(lines.filter((l) => l.includes('apply failed') && l.includes('injected failure')).length, 2);
      assert.equal(programmer.plans[0]!.masquerade, undefined, 'no cluster CIDR: no masquerade rule');
    } finally {
      await net.stop();
    }
    assert.equal(programmer.cleaned, 0);
  });

  it('repairs on its resync period even without events', async () => {
    const api = createFakeApi('Node');
    api.upsert(mkNode('a', '192.168.1.1', '10.42.0.0/24'));
    const programmer = recording();
    const net = startPodNetwork({ client: api.client, nodeName: 'a', programmer, log: nullLogger, minSyncMs: 10, resyncMs: 50 });
    try {
      await net.synced();
      await until(() => programmer.plans.length >= 3);
    } finally {
      await net.stop();
    }
  });
});

const skip = await netnsUnavailable();

describe('startPodNetwork in network namespaces', { skip }, () => {
  let net: TestCluster;
  before(async () => {
    net = await createTestCluster(`r${process.pid}`);
    for (const n of [net.nodes.a, net.nodes.b]) await net.serve(n.podNs, n.podIp, 7071);
  });
  after(async () => {
    await net?.destroy();
  });

  it('Nodes in the API open and close the path between pods on two nodes', async () => {
    const { a, b } = net.nodes;
    const api = createFakeApi('Node');
    for (const n of [a, b]) api.upsert(mkNode(n.name, n.ip, n.podCidr));
    const loops = [a, b].map((n) =>
      startPodNetwork({
        client: api.client,
        nodeName: n.name,
        clusterCidr: '10.42.0.0/16',
        commandPrefix: n.prefix,
        log: nullLogger,
        minSyncMs: 20,
      }),
    );
    try {
      await Promise.all(loops.map((l) => l.synced()));
      assert.equal(await net.connect(a.podNs, b.podIp, 7071), a.podIp);
      api.remove('b');
      await until(async () => (await net.connect(a.podNs, b.podIp, 7071, 300)) instanceof Error);
      api.upsert(mkNode(b.name, b.ip, b.podCidr));
      await until(async () => (await net.connect(a.podNs, b.podIp, 7071, 300)) === a.podIp);
    } finally {
      for (const l of loops) await l.stop({ cleanup: true });
    }
    assert.ok((await net.connect(a.podNs, b.podIp, 7071, 300)) instanceof Error, 'cleanup removed the routes');
  });
});
