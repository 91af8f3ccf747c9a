// End to end, as root: a node's whole lifecycle on the host. `tandem up` runs a pod, is killed with
// its process group (kill -9: nothing cleaned), leaves its bridge, route, tables, cgroups and
// containerd behind; `tandem up` again on the same data dir brings the pod back Running with its
// route right; a second `tandem up` of another data dir is refused while its pod range is taken and
// works on ranges of its own; `tandem down --purge` of each leaves nothing of it on the host (each
// asserted by asking the host: ip link, ip route, nft, mountinfo, cgroup dirs, /proc) and nothing of
// the other's taken.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { hostCleanup, hostResourceNames } from '../../src/agent/platform/linux/index.js';
import { KUBECTL, TANDEM } from './harness.js';
import { nodeE2eSkip, show, until } from './node-session.js';
import { prepareTestImages, type TestImages } from '../images/index.js';

const base = mkdtempSync(join(tmpdir(), 'tandem-down-'));
const rand = () => 100 + Math.floor(Math.random() * 100);
const clusterA = `10.${rand()}.0.0/16`;
let clusterB = `10.${rand()}.0.0/16`;
while (clusterB === clusterA) clusterB = `10.${rand()}.0.0/16`;
const cidrOf = (cluster: string) => cluster.replace('.0.0/16', '.0.0/24');

interface Up {
  proc: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

/** `tandem up` in a process group of its own (so that the whole group can be killed as a user's Ctrl-\ or OOM would). */
function startUp(dataDir: string, args: string[]): Up {
  let out = '';
  const proc = spawn(
    process.execPath,
    [TANDEM, 'up', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--cluster-dns-listen', 'none', ...args],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: join(base, 'home') } },
  );
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, out: () => out, exited };
}

const running: Up[] = [];
async function upReady(dataDir: string, args: string[]): Promise<Up> {
  const u = startUp(dataDir, args);
  running.push(u);
  await until('the node to be ready', () => u.proc.exitCode === null && /node \S+ ready \(pods on /.test(u.out()), 120_000, 200).catch(
    (e: unknown) => {
      throw new Error(`${String(e)}\n${u.out()}`);
    },
  );
  return u;
}

const kubectl = (dataDir: string, args: string[], input?: string) => {
  const r = spawnSync(KUBECTL, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: join(dataDir, 'kubeconfig') },
    timeout: 30_000,
  });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};

function runPod(dataDir: string, images: TestImages, name: string): void {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: images.images.busybox, command: ['sleep', '3600'] }],
    },
  };
  const r = kubectl(dataDir, ['apply', '-f', '-'], stringifyYaml(pod));
  assert.equal(r.code, 0, show(r));
}

type PodJson = {
  metadata: { uid: string };
  status?: { phase?: string; podIP?: string; containerStatuses?: Array<{ state?: { running?: unknown } }> };
};
async function podRunning(dataDir: string, name: string): Promise<PodJson> {
  return until(
    `pod ${name} Running`,
    () => {
      const r = kubectl(dataDir, ['get', 'pod', name, '-o', 'json']);
      if (r.code !== 0) return undefined;
      const p = JSON.parse(r.stdout) as PodJson;
      const cs = p.status?.containerStatuses ?? [];
      return p.status?.phase === 'Running' && cs.length > 0 && cs.every((c) => c.state?.running) && p.status.podIP ? p : undefined;
    },
    90_000,
    500,
  );
}

const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout ?? '';
const links = () => sh('ip', ['-o', 'link', 'show']);
const routeOf = (cidr: string) => sh('ip', ['-4', 'route', 'show', cidr]).trim();
const tables = () => sh('nft', ['list', 'tables', 'ip']);
const mountsBelow = (dir: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.split(' ')[4]?.startsWith(dir));
const processesOf = (agentDir: string) => hostCleanup.listProcesses().filter((p) => p.pid !== process.pid && p.cmdline.includes(agentDir));
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/ Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ''));

function down(dataDir: string): { code: number; out: string } {
  const r = spawnSync(process.execPath, [TANDEM, 'down', '--purge', '--data-dir', dataDir], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

/** Nothing of the node of `dataDir` is left on the host. */
async function assertGone(dataDir: string, cidr: string, uids: string[], upPid: number): Promise<void> {
  const agentDir = join(dataDir, 'agent');
  const n = hostResourceNames(agentDir);
  assert.ok(!alive(upPid), `tandem up (pid ${upPid}) still runs`);
  assert.doesNotMatch(links(), new RegExp(`: ${n.bridge}[:@]`), 'the bridge is gone');
  assert.equal(routeOf(cidr), '', `no route for ${cidr}`);
  assert.doesNotMatch(tables(), new RegExp(`${n.proxyTable}|${n.podnetTable}`), 'its nft tables are gone');
  assert.deepEqual(mountsBelow(dataDir), [], 'no mount below the data dir');
  for (const u of uids) assert.deepEqual(await hostCleanup.podCgroupDirs(u), [], `no cgroup of pod ${u}`);
  await until('no process of the data dir', () => processesOf(agentDir).length === 0, 5000).catch(() =>
    assert.fail(`processes left: ${JSON.stringify(processesOf(agentDir))}`),
  );
  assert.equal(existsSync(dataDir), false, 'the data dir is gone');
}

const skip = nodeE2eSkip();
let images: TestImages | undefined;
const dirA = join(base, 'a');
const dirB = join(base, 'b');
const dirRefused = join(base, 'refused');

after(async () => {
  for (const u of running) if (u.proc.exitCode === null && u.proc.signalCode === null) process.kill(-u.proc.pid!, 'SIGKILL');
  for (const d of [dirA, dirB, dirRefused]) if (existsSync(d)) down(d);
  await images?.registry.stop();
  rmSync(base, { recursive: true, force: true });
});

test('kill -9, up again, a second up beside it, then down --purge leaves nothing', { skip, timeout: 600_000 }, async () => {
  mkdirSync(join(base, 'home'));
  images = await prepareTestImages({});
  const cidrA = cidrOf(clusterA);
  const a1 = await upReady(dirA, ['--cluster-cidr', clusterA, '--node-name', `down-a-${process.pid}`]);
  assert.match(a1.out(), new RegExp(`pods on ${cidrA.replace(/\./g, '\\.')}`), 'the pod range comes from its own server');
  runPod(dirA, images, 'sleeper');
  const before = await podRunning(dirA, 'sleeper');
  const uid = before.metadata.uid;
  const nA = hostResourceNames(join(dirA, 'agent'));

  // kill -9 of the whole process group: nothing is cleaned up
  process.kill(-a1.proc.pid!, 'SIGKILL');
  await a1.exited;
  assert.match(links(), new RegExp(`: ${nA.bridge}[:@]`), 'the bridge is left');
  assert.match(routeOf(cidrA), new RegExp(`dev ${nA.bridge}`), 'the route is left');
  assert.match(tables(), new RegExp(nA.podnetTable), 'the masquerade table is left');
  assert.match(tables(), new RegExp(nA.proxyTable), 'the proxy table is left');
  assert.notDeepEqual(await hostCleanup.podCgroupDirs(uid), [], 'the pod cgroup is left');
  assert.ok(
    processesOf(join(dirA, 'agent')).some((p) => p.comm === 'containerd'),
    'containerd is left running',
  );

  // up again on the same data dir: the pod is Running again, its range routed to this data dir's bridge
  const a2 = await upReady(dirA, ['--cluster-cidr', clusterA, '--node-name', `down-a-${process.pid}`]);
  const again = await podRunning(dirA, 'sleeper');
  assert.equal(again.metadata.uid, uid);
  assert.match(routeOf(cidrA), new RegExp(`^${cidrA.replace(/\./g, '\\.')} dev ${nA.bridge} `));
  const ping = spawnSync('ping', ['-c', '1', '-W', '3', again.status!.podIP!], { encoding: 'utf8' });
  if (!ping.error) assert.equal(ping.status, 0, `the pod answers from the host after the restart:\n${ping.stdout}${ping.stderr}`);

  // a second up of another data dir on the same ranges: refused, with the fix
  const refused = startUp(dirRefused, ['--cluster-cidr', clusterA, '--proxy', 'none', '--node-name', `down-b-${process.pid}`]);
  running.push(refused);
  assert.equal(await refused.exited, 1, refused.out());
  assert.match(refused.out(), new RegExp(`pod range ${cidrA.replace(/\./g, '\\.')} is already routed.*dev ${nA.bridge}`));
  assert.match(refused.out(), /tandem down --data-dir/);
  assert.match(refused.out(), /--cluster-cidr/);
  assert.match(routeOf(cidrA), new RegExp(`dev ${nA.bridge}`), 'the refused up took nothing from the first');
  // (its store keeps the Node with that range: the user's fix is another data dir, or down --purge of this one)
  const dR = down(dirRefused);
  assert.equal(dR.code, 0, dR.out);
  assert.equal(existsSync(dirRefused), false);

  // ... and on ranges of its own: it works beside the first, with its own bridge and tables
  const cidrB = cidrOf(clusterB);
  const b = await upReady(dirB, ['--cluster-cidr', clusterB, '--service-cidr', '10.97.0.0/16', '--node-name', `down-b-${process.pid}`]);
  runPod(dirB, images, 'neighbour');
  const podB = await podRunning(dirB, 'neighbour');
  const nB = hostResourceNames(join(dirB, 'agent'));
  assert.notEqual(nB.bridge, nA.bridge);
  assert.match(routeOf(cidrB), new RegExp(`dev ${nB.bridge}`));
  assert.match(tables(), new RegExp(nB.proxyTable));
  await podRunning(dirA, 'sleeper');

  // down --purge of the first (its up still runs: down stops it) leaves nothing of it, and the second's untouched
  const dA = down(dirA);
  assert.equal(dA.code, 0, dA.out);
  assert.match(dA.out, /stopping the running tandem/);
  await assertGone(dirA, cidrA, [uid], a2.proc.pid!);
  assert.match(routeOf(cidrB), new RegExp(`dev ${nB.bridge}`), "the second's route stays");
  assert.match(tables(), new RegExp(nB.podnetTable), "the second's table stays");
  await podRunning(dirB, 'neighbour');

  const dB = down(dirB);
  assert.equal(dB.code, 0, dB.out);
  await assertGone(dirB, cidrB, [podB.metadata.uid], b.proc.pid!);

  // down again: nothing to do, and no error
  const twice = down(dirA);
  assert.equal(twice.code, 0, twice.out);
});
