// E2E (issue 12, networking): two real nodes, each a network namespace playing a host, joined by a
// bridge in a "LAN" namespace on 192.168.77.0/24, with `tandem server` in a third namespace listening
// on 192.168.77.1. Each node runs `tandem agent` with its own data dir (and so its own private
// containerd, CNI bridge, service proxy and pod network) and a fixed pod range 10.42.N.0/24. Checked
// with the real kubectl, run inside the server's namespace: a pod on node-1 reaches a pod on node-2
// by pod IP and is seen there with its own pod IP (no NAT; busybox httpd's CGI reports REMOTE_ADDR), a
// Service whose only endpoint is on node-2 answers node-1's pod through its ClusterIP, cluster DNS
// answers pods on both nodes (the server publishes its namespace address as kube-dns's endpoint), and
// deleting node-2's Node removes node-1's route to 10.42.2.0/24. Images come from a docker-registry
// started inside each node's namespace on the same loopback port and storage as the test registry, so
// image names stay 127.0.0.1:PORT/... Needs what node.test.ts needs, plus `ip netns`, nsenter and veth pairs.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as stringifyYaml } from 'yaml';
import { agentServingCert } from './agent-cert.js';
import { KUBECTL, TANDEM, type RunResult } from './harness.js';
import { at } from './kubectl-support.js';
import { items, isRunning, nodeE2eSkip, show, sleep, until, type Obj } from './node-session.js';
import { containerdPid, shimPids } from './node-support.js';
import { prepareTestImages, type TestImages } from '../images/index.js';
import { removeTree } from './remove-tree.js';

const TAG = 't2n';
const LAN = `${TAG}-lan`;
const SRV = { ns: `${TAG}-srv`, ip: '192.168.77.1' };
const NODES = [1, 2].map((n) => ({
  n,
  name: `node-${n}`,
  ns: `${TAG}-node${n}`,
  ip: `192.168.77.${10 + n}`,
  podCidr: `10.42.${n}.0/24`,
}));
const NS = 'two-nodes';
const NODE_SUPPORT = fileURLToPath(new URL('./node-support.js', import.meta.url));

const sh = (argv: string[], timeoutMs = 30_000): RunResult => {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
};
const must = (argv: string[]) => {
  const r = sh(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${show(r)}`);
  return r;
};
// nsenter, not `ip netns exec`: the latter also remounts /sys in a new mount namespace, which hides
// /sys/fs/cgroup from runc ("no cgroup mount found in mountinfo"); a host's processes see both
const inNs = (ns: string, argv: string[]) => ['nsenter', `--net=/run/netns/${ns}`, '--', ...argv];

/** Why the namespaces cannot be built here (no `ip netns`, no veth), or undefined. */
function netnsSkip(): string | undefined {
  const probe = `${TAG}-probe`;
  const add = sh(['ip', 'netns', 'add', probe]);
  if (add.code !== 0) return `ip netns is unavailable: ${add.stderr.trim()}`;
  const veth = sh(['ip', '-n', probe, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1']);
  const enter = sh(inNs(probe, ['true']));
  sh(['ip', 'netns', 'del', probe]);
  if (veth.code !== 0) return `veth pairs are unavailable: ${veth.stderr.trim()}`;
  return enter.code === 0 ? undefined : `nsenter cannot enter a network namespace: ${enter.stderr.trim()}`;
}

function skipReason(): string | undefined {
  return nodeE2eSkip() ?? netnsSkip();
}

interface Proc {
  child: ChildProcess;
  out: string[];
}
const procs: Proc[] = [];
function startIn(ns: string, argv: string[]): Proc {
  const [cmd, ...args] = inNs(ns, argv);
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  const p: Proc = { child, out: [] };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => p.out.push(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => p.out.push(d));
  procs.push(p);
  return p;
}
async function stopProc(p: Proc, signal: NodeJS.Signals = 'SIGTERM', ms = 20_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const done = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill(signal);
  const t = setTimeout(() => p.child.kill('SIGKILL'), ms);
  await done;
  clearTimeout(t);
}

let work = '';
let images: TestImages | undefined;
let server: Proc | undefined;
const agents: Proc[] = [];
const mirrors: Proc[] = [];
let kubeconfig = '';

function k(args: string[], o: { input?: string; timeoutMs?: number } = {}): RunResult {
  const [cmd, ...rest] = inNs(SRV.ns, [KUBECTL, '--kubeconfig', kubeconfig, ...args]);
  const r = spawnSync(cmd!, rest, {
    encoding: 'utf8',
    input: o.input,
    timeout: o.timeoutMs ?? 30_000,
    env: { ...process.env, HOME: work },
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
function ok(args: string[], o: { input?: string; timeoutMs?: number } = {}): RunResult {
  const r = k(args, o);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${show(r)}`);
  return r;
}
const getJson = (args: string[]) => JSON.parse(ok([...args, '-n', NS, '-o', 'json']).stdout) as Obj;
const podIP = (name: string) => String(at(getJson(['get', 'pod', name]), 'status', 'podIP'));
const execIn = (pod: string, cmd: string[], timeoutMs = 20_000) => k(['exec', '-n', NS, pod, '--', ...cmd], { timeoutMs });
const wget = (pod: string, url: string): string | undefined => {
  const r = execIn(pod, ['timeout', '5', 'wget', '-qO-', url]);
  return r.code === 0 ? r.stdout.trim() : undefined;
};
function lookup(pod: string, name: string): string[] | undefined {
  const r = execIn(pod, ['nslookup', '-type=a', name]);
  if (r.code !== 0) return undefined;
  const answer = r.stdout
    .split(/^Name:/m)
    .slice(1)
    .join('\n');
  const ips = [...answer.matchAll(/^Address: *([\d.]+)$/gm)].map((m) => m[1]!).sort();
  return ips.length ? ips : undefined;
}
const routesOf = (node: (typeof NODES)[number]) => sh(['ip', '-n', node.ns, 'route', 'show']).stdout;

function buildNetwork(): void {
  destroyNetwork();
  const all = [LAN, SRV.ns, ...NODES.map((n) => n.ns)];
  for (const ns of all) must(['ip', 'netns', 'add', ns]);
  for (const ns of all) must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  must(['ip', '-n', LAN, 'link', 'add', 'br0', 'type', 'bridge']);
  must(['ip', '-n', LAN, 'link', 'set', 'br0', 'up']);
  const hosts = [{ ns: SRV.ns, ip: SRV.ip, port: 'p-srv' }, ...NODES.map((n) => ({ ns: n.ns, ip: n.ip, port: `p-node${n.n}` }))];
  for (const h of hosts) {
    must(['ip', '-n', LAN, 'link', 'add', h.port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns]);
    must(['ip', '-n', LAN, 'link', 'set', h.port, 'master', 'br0']);
    must(['ip', '-n', LAN, 'link', 'set', h.port, 'up']);
    must(['ip', '-n', h.ns, 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0']);
    must(['ip', '-n', h.ns, 'link', 'set', 'eth0', 'up']);
  }
  // a node host forwards its pods' traffic (kubeadm's preflight demands the same of a kubelet's host)
  for (const n of NODES) must(inNs(n.ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']));
}

function destroyNetwork(): void {
  for (const ns of [...NODES.map((n) => n.ns), SRV.ns, LAN]) sh(['ip', 'netns', 'del', ns]);
}

/** A docker-registry inside `ns` on 127.0.0.1:PORT serving the test registry's storage (read-only use). */
async function startMirror(ns: string, regDir: string, port: number): Promise<Proc> {
  const config = join(work, `registry-${ns}.yml`);
  const conf = readFileSync(join(regDir, 'config.yml'), 'utf8');
  writeFileSync(config, conf);
  const p = startIn(ns, ['docker-registry', 'serve', config]);
  mirrors.push(p);
  await until(
    `the registry mirror in ${ns}`,
    () => sh(inNs(ns, ['busybox', 'wget', '-qO-', `http://127.0.0.1:${port}/v2/`]), 5000).code === 0,
    15_000,
    100,
  );
  return p;
}

const podOn = (name: string, node: string, command: string, labels: Record<string, string> = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, labels: { app: name, ...labels } },
  spec: {
    nodeName: node,
    terminationGracePeriodSeconds: 1,
    containers: [{ name, image: images!.images.busybox, command: ['sh', '-c', command] }],
  },
});

// the server on node-2 answers / with its name and /cgi-bin/ip with the client address it sees
const SERVE = [
  'mkdir -p /tmp/www/cgi-bin',
  'echo web2 > /tmp/www/index.html',
  `printf '#!/bin/sh\\necho "Content-Type: text/plain"\\necho\\necho "$REMOTE_ADDR"\\n' > /tmp/www/cgi-bin/ip`,
  'chmod +x /tmp/www/cgi-bin/ip',
  'exec httpd -f -p 8080 -h /tmp/www',
].join(' && ');

describe('two nodes in network namespaces: pod network, Services and DNS across nodes', { skip: skipReason() }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'tandem-two-nodes-'));
    const regDir = join(work, 'registry');
    images = await prepareTestImages({ registryDir: regDir });
    buildNetwork();
    for (const n of NODES) await startMirror(n.ns, regDir, images.registry.port);
    const srvDir = join(work, 'server');
    server = startIn(SRV.ns, [process.execPath, TANDEM, 'server', '--data-dir', srvDir, '--listen', `${SRV.ip}:6443`]);
    await until('the server to be ready', () => server!.out.join('').includes('tandem server ready'), 30_000, 100);
    kubeconfig = join(srvDir, 'kubeconfig');
    // the server wrote its listen address into the admin kubeconfig; its certificate covers it
    assert.match(readFileSync(kubeconfig, 'utf8'), new RegExp(`server: https://${SRV.ip.replace(/\./g, '\\.')}:6443`));
    for (const n of NODES) {
      const dir = join(work, n.name);
      mkdirSync(dir);
      const argv = [process.execPath, TANDEM, 'agent', '--kubeconfig', kubeconfig, '--data-dir', dir];
      // a serving certificate from the cluster CA for the node's address: the API server refuses others
      const tls = agentServingCert(srvDir, n.name, join(dir, 'tls'), [n.ip]);
      argv.push('--tls-cert-file', tls.certFile, '--tls-private-key-file', tls.keyFile);
      argv.push('--pod-cidr', n.podCidr, '--cluster-cidr', '10.42.0.0/16', '--node-name', n.name);
      agents.push(startIn(n.ns, argv));
    }
    for (const [i, n] of NODES.entries()) {
      await until(`${n.name} to be ready`, () => agents[i]!.out.join('').includes(`node ${n.name} ready`), 60_000, 200).catch((e) => {
        throw new Error(`${String(e)}\n${agents[i]!.out.join('')}`);
      });
    }
    ok(['create', 'namespace', NS]);
    const objects: Obj[] = [
      podOn('web2', 'node-2', SERVE),
      podOn('client1', 'node-1', 'exec sleep 3600'),
      podOn('client2', 'node-2', 'exec sleep 3600'),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web2', namespace: NS },
        spec: { selector: { app: 'web2' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      },
    ];
    ok(['apply', '-f', '-'], { input: objects.map((o) => stringifyYaml(o)).join('---\n') });
    await until(
      'the three pods running',
      () => ['web2', 'client1', 'client2'].every((p) => isRunning(getJson(['get', 'pod', p]))),
      120_000,
      500,
    ).catch((e) => {
      const pods = k(['get', 'pods', '-n', NS, '-o', 'wide']).stdout;
      const events = k(['get', 'events', '-n', NS]).stdout;
      const logs = agents.map((a) => a.out.join('').slice(-4000)).join('\n=====\n');
      throw new Error(`${String(e)}\n${pods}\n${events}\n${logs}`);
    });
  });

  after(async () => {
    // both nodes put pod cgroups under one host-wide parent (tandem/<qos>/pod<uid>): each pod's must go
    const uids = new Set<string>();
    if (server && kubeconfig) {
      for (const p of items(JSON.parse(k(['get', 'pods', '-n', NS, '-o', 'json']).stdout || '{}') as Obj)) {
        uids.add(String(at(p, 'metadata', 'uid')));
      }
      k(['delete', 'pods,services', '--all', '-n', NS, '--grace-period=1', '--wait=false'], { timeoutMs: 20_000 });
      const end = Date.now() + 30_000;
      while (Date.now() < end) {
        const r = k(['get', 'pods', '-n', NS, '-o', 'name']);
        if (r.code === 0 && r.stdout.trim() === '') break;
        await sleep(500);
      }
    }
    for (const a of agents) await stopProc(a);
    // what the agents leave (pods that outlived them, containerd state, the bridge, nft tables,
    // routes): teardownNode inside each node's namespace, where those live
    for (const n of NODES) {
      const agentDir = join(work, n.name, 'agent');
      const script = `import { teardownNode } from ${JSON.stringify(NODE_SUPPORT)}; await teardownNode(${JSON.stringify(agentDir)}, ${JSON.stringify(n.podCidr)});`;
      sh(inNs(n.ns, [process.execPath, '--input-type=module', '-e', script]), 120_000);
      for (const pid of [...shimPids(agentDir), containerdPid(agentDir)]) {
        if (pid !== undefined) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }
      assert.deepEqual(shimPids(agentDir), [], `shims of ${n.name} are still running`);
      assert.equal(containerdPid(agentDir), undefined, `the containerd of ${n.name} is still running`);
    }
    if (server) await stopProc(server);
    for (const m of mirrors) await stopProc(m);
    for (const p of procs) await stopProc(p, 'SIGKILL');
    destroyNetwork();
    await images?.registry.stop();
    if (work) removeTree(work);
    const cgroups = sh(['find', '/sys/fs/cgroup', '-maxdepth', '5', '-type', 'd', '-name', 'pod*']).stdout.split('\n');
    assert.deepEqual(
      cgroups.filter((c) => [...uids].some((u) => c.endsWith(`pod${u}`))),
      [],
      'pod cgroups left behind',
    );
    const left = sh(['ip', 'netns', 'list']).stdout;
    assert.doesNotMatch(left, new RegExp(`^${TAG}-`, 'm'), left);
  });

  test('each node has its own private containerd under its data dir', () => {
    const pids = NODES.map((n) => containerdPid(join(work, n.name, 'agent')));
    assert.ok(pids.every((p) => p !== undefined) && pids[0] !== pids[1], `two containerds: ${pids.join(', ')}`);
    const nodes = items(JSON.parse(ok(['get', 'nodes', '-o', 'json']).stdout) as Obj);
    const addr = Object.fromEntries(
      nodes.map((o) => [
        String(at(o, 'metadata', 'name')),
        ((at(o, 'status', 'addresses') as Obj[] | undefined) ?? []).find((a) => a['type'] === 'InternalIP')?.['address'],
      ]),
    );
    assert.deepEqual(addr, { 'node-1': NODES[0]!.ip, 'node-2': NODES[1]!.ip });
    assert.match(podIP('client1'), /^10\.42\.1\.\d+$/);
    assert.match(podIP('web2'), /^10\.42\.2\.\d+$/);
  });

  test('a pod on node-1 reaches a pod on node-2 by pod IP, seen with its own address', async () => {
    assert.match(routesOf(NODES[0]!), /^10\.42\.2\.0\/24 via 192\.168\.77\.12 /m, routesOf(NODES[0]!));
    const ip = podIP('web2');
    const body = await until('web2 by pod IP from client1', () => wget('client1', `http://${ip}:8080/`), 30_000, 500);
    assert.equal(body, 'web2');
    // httpd listens on IPv6 too, so it shows an IPv4 peer as [::ffff:a.b.c.d]
    const seen = wget('client1', `http://${ip}:8080/cgi-bin/ip`)?.replace(/^\[(?:::ffff:)?(.*)\]$/, '$1');
    assert.equal(seen, podIP('client1'), 'node-2 sees the client by its pod IP (no NAT between the nodes)');
  });

  test('a Service whose only endpoint is on node-2 answers a pod on node-1 through its ClusterIP', async () => {
    const ip = String(at(getJson(['get', 'service', 'web2']), 'spec', 'clusterIP'));
    assert.match(ip, /^10\.96\.\d+\.\d+$/);
    assert.equal(await until('web2 through its ClusterIP', () => wget('client1', `http://${ip}/`), 30_000, 500), 'web2');
    assert.equal(await until('web2 by name', () => wget('client1', 'http://web2/'), 30_000, 500), 'web2');
  });

  test('cluster DNS answers pods on both nodes', async () => {
    const api = ok(['get', 'service', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.spec.clusterIP}']).stdout.trim();
    const web2 = String(at(getJson(['get', 'service', 'web2']), 'spec', 'clusterIP'));
    for (const pod of ['client1', 'client2']) {
      const got = await until(`DNS from ${pod}`, () => lookup(pod, 'kubernetes.default.svc.cluster.local'), 30_000, 500);
      assert.deepEqual(got, [api], pod);
      assert.deepEqual(lookup(pod, `web2.${NS}.svc.cluster.local`), [web2], pod);
    }
  });

  test("deleting node-2's Node removes node-1's route to its pod range", async () => {
    assert.match(routesOf(NODES[0]!), /^10\.42\.2\.0\/24 /m, 'the route is there before the delete');
    ok(['delete', 'node', 'node-2', '--wait=false']);
    await until("node-1's route to 10.42.2.0/24 to go", () => !/^10\.42\.2\.0\/24 /m.test(routesOf(NODES[0]!)), 20_000, 200);
  });
});
