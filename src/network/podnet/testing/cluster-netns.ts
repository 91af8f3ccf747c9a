// A throwaway three-node network in namespaces, so the pod network's tests never touch the host:
// nodes a and b share the LAN 192.168.1.0/24 (a bridge in a router namespace), node c sits on
// 192.168.2.0/24 behind that router, which forwards between the two LANs but knows no pod range.
// Each node has one "pod": a namespace joined to it by a veth, holding the pod CIDR's .10 with a
// default route via the node (the .1), as the CNI bridge's pods have. Needs root and iproute2.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run, works } from '../../host-exec.js';
import type { Node } from '../../../api/gen/types.js';
import { mkNode } from './objects.js';

export const ROUTER_LAN1 = '192.168.1.254';
export interface TestNode {
  name: 'a' | 'b' | 'c';
  ns: string;
  podNs: string;
  ip: string;
  podCidr: string;
  podIp: string;
  /** runs a tool inside the node's namespace */
  prefix: string[];
}

export interface TestCluster {
  nodes: Record<'a' | 'b' | 'c', TestNode>;
  routerNs: string;
  /** The Node objects the API would hold for the three nodes. */
  nodeObjects(): Node[];
  /** Starts a peer server on `ip` in namespace `ns`. */
  serve(ns: string, ip: string, port: number): Promise<void>;
  /** Connects from namespace `ns`; the address the server saw, or an Error saying why not. */
  connect(ns: string, ip: string, port: number, timeoutMs?: number): Promise<string | Error>;
  destroy(): Promise<void>;
}

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

/** Why these tests cannot run here, or undefined. */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root';
  if (!(await works([], ['ip', '-V']))) return 'needs iproute2';
  if (!(await works([], ['bridge', '-V']))) return 'needs the bridge tool of iproute2';
  if (!(await works([], ['nft', '--version']))) return 'needs nftables (apt-get install nftables)';
  return undefined;
}

/** Why VXLAN devices cannot be made here (a kernel without the vxlan module), or undefined. */
export async function vxlanUnavailable(prefix: readonly string[]): Promise<string | undefined> {
  const r = await run(prefix, ['ip', 'link', 'add', 'tpnprobe', 'type', 'vxlan', 'id', '9', 'dstport', '4789', 'dev', 'lo']);
  if (r.code !== 0) return `this kernel cannot make VXLAN devices: ${r.stderr.trim()}`;
  await run(prefix, ['ip', 'link', 'del', 'tpnprobe']);
  return undefined;
}

async function must(argv: string[]): Promise<void> {
  const r = await run([], argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr.trim()}`);
}

export async function createTestCluster(tag: string): Promise<TestCluster> {
  const routerNs = `tpn-${tag}-r`;
  const spec = [
    { name: 'a', ip: '192.168.1.1', lan: 1, n: 0 },
    { name: 'b', ip: '192.168.1.2', lan: 1, n: 1 },
    { name: 'c', ip: '192.168.2.3', lan: 2, n: 2 },
  ] as const;
  const nodes = {} as Record<'a' | 'b' | 'c', TestNode>;
  for (const s of spec) {
    const ns = `tpn-${tag}-${s.name}`;
    nodes[s.name] = {
      name: s.name,
      ns,
      podNs: `${ns}-pod`,
      ip: s.ip,
      podCidr: `10.42.${s.n}.0/24`,
      podIp: `10.42.${s.n}.10`,
      prefix: ['ip', 'netns', 'exec', ns],
    };
  }
  const all = [routerNs, ...Object.values(nodes).flatMap((n) => [n.ns, n.podNs])];
  const children: ChildProcess[] = [];
  const destroy = async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const ns of all) await run([], ['ip', 'netns', 'del', ns]);
  };
  await destroy();
  const r = (...argv: string[]) => ['ip', '-n', routerNs, ...argv];
  const steps: string[][] = [
    ...all.map((ns) => ['ip', 'netns', 'add', ns]),
    ...all.map((ns) => ['ip', '-n', ns, 'link', 'set', 'lo', 'up']),
    ['ip', 'netns', 'exec', routerNs, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'],
    r('link', 'add', 'lan1', 'type', 'bridge'),
    r('addr', 'add', `${ROUTER_LAN1}/24`, 'dev', 'lan1'),
    r('link', 'set', 'lan1', 'up'),
  ];
  for (const s of spec) {
    const node = nodes[s.name];
    const up = `up-${s.name}`;
    const n = (...argv: string[]) => ['ip', '-n', node.ns, ...argv];
    const p = (...argv: string[]) => ['ip', '-n', node.podNs, ...argv];
    steps.push(r('link', 'add', up, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.ns));
    if (s.lan === 1) steps.push(r('link', 'set', up, 'master', 'lan1'));
    else steps.push(r('addr', 'add', '192.168.2.254/24', 'dev', up));
    steps.push(
      r('link', 'set', up, 'up'),
      n('addr', 'add', `${node.ip}/24`, 'dev', 'eth0'),
      n('link', 'set', 'eth0', 'up'),
      n('route', 'add', 'default', 'via', s.lan === 1 ? ROUTER_LAN1 : '192.168.2.254'),
      n('link', 'add', 'pod0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.podNs),
      n('addr', 'add', `10.42.${s.n}.1/24`, 'dev', 'pod0'),
      n('link', 'set', 'pod0', 'up'),
      p('addr', 'add', `${node.podIp}/24`, 'dev', 'eth0'),
      p('link', 'set', 'eth0', 'up'),
      p('route', 'add', 'default', 'via', `10.42.${s.n}.1`),
    );
  }
  try {
    for (const s of steps) await must(s);
  } catch (e) {
    await destroy();
    throw e;
  }
  return {
    nodes,
    routerNs,
    nodeObjects: () => Object.values(nodes).map((n) => mkNode(n.name, n.ip, n.podCidr)),
    async serve(ns, ip, port) {
      const child = spawn('ip', ['netns', 'exec', ns, process.execPath, here('./peer.js'), 'serve', ip, String(port)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.setEncoding('utf8').on('data', (d: string) => d.includes('ready') && resolve());
        child.on('exit', (code) => reject(new Error(`peer server in ${ns} exited with ${code}`)));
      });
    },
    async connect(ns, ip, port, timeoutMs = 2000) {
      const res = await run(
        ['ip', 'netns', 'exec', ns],
        [process.execPath, here('./peer.js'), 'connect', ip, String(port), String(timeoutMs)],
      );
      return res.code === 0 ? res.stdout.trim() : new Error(res.stderr.trim() || `exit ${res.code}`);
    },
    destroy,
  };
}
