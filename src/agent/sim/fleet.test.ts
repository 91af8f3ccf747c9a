// The simulated fleet against the real API server (in-process, memory store): node objects,
// leases, pods through their stages (running, completed, failed, rejected, deleted), and who may
// take over whose nodes (fleets in this process and `tandem sim` processes).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lease, Node, Pod } from '../../api/gen/types.js';
import { createLogger } from '../../base/log.js';
import { createInformerFactory, type InformerFactory } from '../../client/informer-factory.js';
import type { RestClient } from '../../client/rest-client.js';
import { runServer, type RunningServer } from '../../cli/server-command.js';
import { ipToInt, parseCidr } from './cidr.js';
import { startSimFleet, type SimFleet } from './fleet.js';
import { nullLogger } from '../../base/log.js';

let srv: RunningServer;
let dir: string;
let c: RestClient;
let informers: InformerFactory;
let linux: SimFleet;
let windows: SimFleet;
const logs: string[] = [];
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
const PODS = '/api/v1/namespaces/default/pods';
const TANDEM = resolve(fileURLToPath(import.meta.url), '../../../../../bin/tandem.js');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-sim-'));
  srv = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger });
  c = srv.client;
  informers = createInformerFactory(c);
  const log = createLogger({
    level: 'debug',
    component: 'sim',
    write: (l) => {
      logs.push(l);
      if (process.env['SIM_DEBUG']) process.stderr.write(`${l}\n`);
    },
  });
  const common = { client: c, informers, leaseRenewMs: 300, tickMs: 20, log };
  linux = startSimFleet({ ...common, nodes: 3, os: 'linux', zones: 2 });
  windows = startSimFleet({ ...common, nodes: 2, os: 'windows', hyperV: true, labels: { team: 'win' } });
  await Promise.all([linux.ready(), windows.ready()]);
});
after(async () => {
  await linux?.stop();
  await windows?.stop();
  await informers?.stop();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(f: () => Promise<T | undefined | false>, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; sim log: ${logs.slice(-5).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const getNode = (name: string) => c.request<Node>('GET', `/api/v1/nodes/${name}`);
const getPod = (name: string) => c.getOrUndefined<Pod>(`${PODS}/${name}`);
const inCidr = (ip: string, cidr: string) => {
  const r = parseCidr(cidr);
  const n = ipToInt(ip);
  return n >= r.base && n < r.base + 2 ** (32 - r.prefix);
};

function pod(
  name: string,
  nodeName: string,
  extra: { annotations?: Record<string, string>; restartPolicy?: string; os?: string } = {},
): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations: extra.annotations ?? {} },
    spec: { nodeName, containers: [{ name: 'main', image: 'example.com/app:1' }], restartPolicy: extra.restartPolicy ?? 'Always' },
  };
  if (extra.os && p.spec) p.spec.os = { name: extra.os };
  return p;
}

test('registers linux and windows nodes with upstream labels, capacity, conditions and runtime handlers', async () => {
  assert.deepEqual(linux.nodeNames(), ['sim-linux-0', 'sim-linux-1', 'sim-linux-2']);
  const l1 = await getNode('sim-linux-1');
  const labels = l1.metadata.labels ?? {};
  assert.equal(labels['kubernetes.io/os'], 'linux');
  assert.equal(labels['kubernetes.io/arch'], 'amd64');
  assert.equal(labels['kubernetes.io/hostname'], 'sim-linux-1');
  assert.equal(labels['tandem.io/simulated'], 'true');
  assert.equal(labels['topology.kubernetes.io/zone'], 'zone-1');
  assert.equal(labels['node.kubernetes.io/windows-build'], undefined);
  assert.equal(l1.status?.capacity?.['pods'], '110');
  assert.equal(l1.status?.allocatable?.['cpu'], '8');
  const ready = l1.status?.conditions?.find((x) => x.type === 'Ready');
  assert.equal(ready?.status, 'True');
  assert.equal(ready?.reason, 'KubeletReady');
  assert.equal(l1.status?.nodeInfo?.osImage, 'Debian GNU/Linux 12 (simulated)');
  assert.deepEqual(
    l1.status?.runtimeHandlers?.map((h) => h.name),
    ['runc', ''],
  );

  const w0 = await getNode('sim-windows-0');
  assert.equal(w0.metadata.labels?.['kubernetes.io/os'], 'windows');
  assert.equal(w0.metadata.labels?.['node.kubernetes.io/windows-build'], '10.0.20348');
  assert.equal(w0.metadata.labels?.['team'], 'win');
  assert.equal(w0.status?.nodeInfo?.operatingSystem, 'windows');
  assert.equal(w0.status?.nodeInfo?.osImage, 'Windows Server 2022 Datacenter (simulated)');
  assert.deepEqual(
    w0.status?.runtimeHandlers?.map((h) => h.name),
    ['runhcs-wcow-process', '', 'runhcs-wcow-hypervisor'],
  );

  // every node has its own /24 and an InternalIP
  const all = await Promise.all([...linux.nodeNames(), ...windows.nodeNames()].map(getNode));
  const cidrs = all.map((n) => n.spec?.podCIDR ?? '');
  assert.equal(new Set(cidrs).size, 5);
  for (const n of all) {
    assert.match(n.spec?.podCIDR ?? '', /\/24$/);
    assert.ok(n.status?.addresses?.some((a) => a.type === 'InternalIP' && /^10\.200\./.test(a.address ?? '')));
  }
});

test('leases are owned by their node, use MicroTime and are renewed', async () => {
  const node = await getNode('sim-windows-1');
  const l = await c.request<Lease>('GET', `${LEASES}/sim-windows-1`);
  assert.equal(l.spec?.holderIdentity, 'sim-windows-1');
  assert.equal(l.spec?.leaseDurationSeconds, 40);
  assert.match(l.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.deepEqual(
    l.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid]),
    [['Node', 'sim-windows-1', node.metadata.uid]],
  );
  await until(
    async () => {
      const again = await c.request<Lease>('GET', `${LEASES}/sim-windows-1`);
      return (again.spec?.renewTime ?? '') > (l.spec?.renewTime ?? '');
    },
    'lease renewal',
    3000,
  );
});

test('a pod bound to a windows sim node becomes Running and Ready with an IP from the node CIDR', async () => {
  const writesBefore = windows.stats().pod.statusWrites;
  await c.request('POST', PODS, pod('web-win', 'sim-windows-1'));
  const p = await until(async () => {
    const x = await getPod('web-win');
    return x?.status?.phase === 'Running' ? x : undefined;
  }, 'pod running');
  const node = await getNode('sim-windows-1');
  assert.ok(inCidr(p.status?.podIP ?? '', node.spec?.podCIDR ?? ''), `${p.status?.podIP} in ${node.spec?.podCIDR}`);
  assert.equal(p.status?.hostIP, node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address);
  for (const t of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled']) {
    assert.equal(p.status?.conditions?.find((x) => x.type === t)?.status, 'True', t);
  }
  const cs = p.status?.containerStatuses?.[0];
  assert.equal(cs?.ready, true);
  assert.equal(cs?.started, true);
  assert.ok(cs?.state?.running?.startedAt);
  assert.equal(p.status?.qosClass, 'BestEffort');
  await sleep(100);
  assert.equal(windows.stats().pod.statusWrites, writesBefore + 1, 'straight to Running and Ready in one status write');
});

test('a pod marked not ready (as the node lifecycle controller does after a late heartbeat) is Ready again within a status sync', async () => {
  await c.request('POST', PODS, pod('web-lost', 'sim-linux-0'));
  const running = await until(async () => {
    const x = await getPod('web-lost');
    return x?.status?.phase === 'Running' ? x : undefined;
  }, 'pod running');
  const conditions = (running.status?.conditions ?? []).map((x) =>
    x.type === 'Ready' ? { type: 'Ready', status: 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } : x,
  );
  await c.request('PUT', `${PODS}/web-lost/status`, { ...running, status: { ...running.status, conditions } });
  const t0 = Date.now();
  await until(
    async () => {
      const x = await getPod('web-lost');
      return x?.status?.conditions?.find((k) => k.type === 'Ready')?.status === 'True' ? x : undefined;
    },
    'Ready again',
    20_000,
  );
  const waited = Date.now() - t0;
  assert.ok(waited >= 9000, `not before a status sync period (${waited} ms)`);
  // the tests below count the fleet's addresses in use
  await c.request('DELETE', `${PODS}/web-lost`);
  await until(async () => (await getPod('web-lost')) === undefined, 'pod removed');
});

test('a run-once pod with a run time completes; a failing one fails; a wrong-OS pod is rejected', async () => {
  await c.request(
    'POST',
    PODS,
    pod('once', 'sim-linux-0', { restartPolicy: 'Never', annotations: { 'tandem.io/sim-run-seconds': '0.2' } }),
  );
  await c.request(
    'POST',
    PODS,
    pod('crash', 'sim-linux-0', {
      restartPolicy: 'Never',
      annotations: { 'tandem.io/sim-run-seconds': '0.1', 'tandem.io/sim-fail': 'true' },
    }),
  );
  await c.request('POST', PODS, pod('wrong-os', 'sim-linux-2', { os: 'windows' }));
  const done = await until(async () => {
    const x = await getPod('once');
    return x?.status?.phase === 'Succeeded' ? x : undefined;
  }, 'pod succeeded');
  assert.equal(done.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0);
  assert.equal(done.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  const failed = await until(async () => {
    const x = await getPod('crash');
    return x?.status?.phase === 'Failed' ? x : undefined;
  }, 'pod failed');
  assert.equal(failed.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 1);
  const rejected = await until(async () => {
    const x = await getPod('wrong-os');
    return x?.status?.phase === 'Failed' ? x : undefined;
  }, 'pod rejected');
  assert.equal(rejected.status?.reason, 'PodOSNotSupported');
  assert.equal(rejected.status?.podIP, undefined);
});

test('deleting a running pod: the server marks it, the sim finishes it and it is gone', async () => {
  await c.request('POST', PODS, pod('doomed', 'sim-linux-1'));
  const running = await until(async () => {
    const x = await getPod('doomed');
    return x?.status?.phase === 'Running' ? x : undefined;
  }, 'pod running');
  const marked = await c.request<Pod>('DELETE', `${PODS}/doomed`);
  assert.ok(marked.metadata.deletionTimestamp, 'graceful deletion marks the pod first');
  await until(async () => (await getPod('doomed')) === undefined, 'pod removed');
  // its address goes back to the node: a new pod may get it later, and the count of addresses in use drops
  assert.ok(running.status?.podIP);
  await until(async () => linux.stats().pod.ipsInUse === 0, 'ip released', 3000);
});

test('stopHeartbeat: the lease stops being renewed while others go on', async () => {
  linux.stopHeartbeat('sim-linux-2');
  await sleep(400); // let an in-flight renewal land
  const stopped1 = await c.request<Lease>('GET', `${LEASES}/sim-linux-2`);
  const other1 = await c.request<Lease>('GET', `${LEASES}/sim-linux-0`);
  await sleep(900);
  const stopped2 = await c.request<Lease>('GET', `${LEASES}/sim-linux-2`);
  const other2 = await c.request<Lease>('GET', `${LEASES}/sim-linux-0`);
  assert.equal(stopped2.spec?.renewTime, stopped1.spec?.renewTime);
  assert.ok((other2.spec?.renewTime ?? '') > (other1.spec?.renewTime ?? ''));
  linux.resumeHeartbeat('sim-linux-2');
  await until(
    async () => ((await c.request<Lease>('GET', `${LEASES}/sim-linux-2`)).spec?.renewTime ?? '') > (stopped2.spec?.renewTime ?? ''),
    'renewal after resume',
    3000,
  );
  assert.throws(() => linux.stopHeartbeat('nope'), /not found/);
});

test('a frozen node leaves its pods alone; after resuming, a deleted pending pod is removed by the sim DELETE', async () => {
  linux.stopHeartbeat('sim-linux-0', { freezePods: true });
  await c.request('POST', PODS, pod('frozen', 'sim-linux-0'));
  await sleep(300);
  assert.equal((await getPod('frozen'))?.status?.phase ?? 'Pending', 'Pending');
  const marked = await c.request<Pod>('DELETE', `${PODS}/frozen`);
  assert.ok(marked.metadata.deletionTimestamp);
  await sleep(200);
  assert.ok(await getPod('frozen'), 'still there while the node is frozen');
  const deletesBefore = linux.stats().pod.deletes;
  linux.resumeHeartbeat('sim-linux-0');
  await until(async () => (await getPod('frozen')) === undefined, 'frozen pod removed');
  await until(async () => linux.stats().pod.deletes === deletesBefore + 1, 'the sim DELETE answered', 2000);
});

test('a second fleet with the default names is refused while the first runs, and writes nothing', async () => {
  const before0 = await getNode('sim-linux-0');
  const second = startSimFleet({ client: c, nodes: 5, os: 'linux', leaseRenewMs: 300, tickMs: 20 });
  try {
    await assert.rejects(second.ready(), {
      name: 'SimNamesTaken',
      message: new RegExp(
        '^node sim-linux-0 belongs to a running sim \\(another sim fleet in this process, whose Lease was renewed \\d+ s ago\\): ' +
          "two sims with the default name prefix sim-linux- would take over each other's nodes; give this one its own --name-prefix",
      ),
    });
    assert.equal(second.stats().node.registered, 0);
  } finally {
    await second.stop();
  }
  const after0 = await getNode('sim-linux-0');
  assert.equal(after0.metadata.annotations?.['tandem.io/sim-holder'], before0.metadata.annotations?.['tandem.io/sim-holder']);
  assert.match(after0.metadata.annotations?.['tandem.io/sim-holder'] ?? '', new RegExp(`/${process.pid}/`));
  // the names beyond the first fleet's were not created either
  assert.equal(await c.getOrUndefined<Node>('/api/v1/nodes/sim-linux-3'), undefined);
  assert.deepEqual(linux.nodeNames(), ['sim-linux-0', 'sim-linux-1', 'sim-linux-2']);
});

test('an explicit prefix takes the nodes over, also from a running sim', async () => {
  const before1 = await getNode('sim-windows-0');
  const again = startSimFleet({
    client: c,
    nodes: 1,
    os: 'windows',
    namePrefix: 'sim-windows-',
    windowsBuild: '10.0.17763',
    leaseRenewMs: 300,
    tickMs: 20,
  });
  try {
    await again.ready();
    const after1 = await getNode('sim-windows-0');
    assert.equal(after1.metadata.uid, before1.metadata.uid);
    assert.equal(after1.spec?.podCIDR, before1.spec?.podCIDR);
    assert.equal(after1.metadata.labels?.['node.kubernetes.io/windows-build'], '10.0.17763');
    assert.equal(after1.status?.nodeInfo?.osImage, 'Windows Server 2019 Datacenter (simulated)');
    assert.equal(again.stats().node.registered, 1);
  } finally {
    await again.stop();
  }
});

/** `tandem sim` as a user runs it, against this test's server; resolves at its ready line or its exit. */
function simProcess(args: string[]): Promise<{ proc: ChildProcess; ready: boolean; out: string }> {
  const proc = spawn(process.execPath, [TANDEM, 'sim', '--kubeconfig', join(dir, 'kubeconfig'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve({ proc, ready: false, out: `${out}\n(timed out)` }), 20_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (/tandem sim ready/.test(out)) {
        clearTimeout(t);
        resolve({ proc, ready: true, out });
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', () => {
      clearTimeout(t);
      resolve({ proc, ready: false, out });
    });
  });
}

test('tandem sim processes with the default prefix: refused while one runs, its nodes taken over once it is killed', async () => {
  // This process stays alive after its fleets stopped, so to other processes their nodes look held
  // until the Leases expire: start from no nodes.
  await windows.stop();
  for (const n of ['sim-windows-0', 'sim-windows-1']) await c.request('DELETE', `/api/v1/nodes/${n}`);
  const flags = ['--nodes', '1', '--os', 'windows', '--lease-renew-ms', '300'];
  const a = await simProcess(flags);
  const live: ChildProcess[] = [a.proc];
  try {
    assert.ok(a.ready, a.out);
    const held = await getNode('sim-windows-0');
    assert.match(held.metadata.annotations?.['tandem.io/sim-holder'] ?? '', new RegExp(`/${a.proc.pid}/`));

    const b = await simProcess(flags);
    assert.equal(b.ready, false);
    assert.equal(b.proc.exitCode, 1);
    assert.match(b.out, new RegExp(`tandem: node sim-windows-0 belongs to a running sim \\(tandem sim pid ${a.proc.pid} on this host`));

    // kill -9: nothing released, the Lease still fresh for 40 s, but the holder process is gone
    a.proc.kill('SIGKILL');
    await new Promise((r) => a.proc.once('exit', r));
    const t0 = Date.now();
    const c2 = await simProcess(flags);
    live.push(c2.proc);
    assert.ok(c2.ready, c2.out);
    assert.ok(Date.now() - t0 < 15_000, 'did not wait for the Lease to expire');
    const taken = await getNode('sim-windows-0');
    assert.equal(taken.metadata.uid, held.metadata.uid, 'taken over, not recreated');
    assert.match(taken.metadata.annotations?.['tandem.io/sim-holder'] ?? '', new RegExp(`/${c2.proc.pid}/`));
  } finally {
    for (const p of live) if (p.exitCode === null) p.kill('SIGTERM');
    await Promise.all(live.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
  }
});
