// A throwaway two-namespace network for the kernel backend's tests and benchmark, so the host's
// own rules are never touched: a "node" namespace (node IP on an uplink interface, the cluster-IP
// range routed there, a veth to the pods) and a "pod" namespace holding the endpoint addresses,
// where echo servers run. Needs root and iproute2.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run, works } from '../../host-exec.js';

export const NODE_IP = '192.0.2.10';
const GATEWAY_IP = '10.244.0.1';
const SERVICE_CIDR = '10.96.0.0/16';

export interface TestNetwork {
  nodeNs: string;
  podNs: string;
  /** Command prefix that runs a tool inside the node namespace. */
  nodePrefix: string[];
  /** Starts echo servers on these pod addresses (added to the pod namespace first). */
  startEcho(ips: readonly string[], port: number): Promise<void>;
  /** Runs testing/probe.js inside the node namespace and returns its JSON answer. */
  probe<T>(args: Record<string, unknown>): Promise<T>;
  destroy(): Promise<void>;
}

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

/** Why these tests cannot run here, or undefined. */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root';
  if (!(await works([], ['ip', '-V']))) return 'needs iproute2';
  if (!(await works([], ['nft', '--version']))) return 'needs nftables (apt-get install nftables)';
  return undefined;
}

async function must(argv: string[]): Promise<void> {
  const r = await run([], argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr.trim()}`);
}

export async function createTestNetwork(tag: string): Promise<TestNetwork> {
  const nodeNs = `tpx-${tag}-node`;
  const podNs = `tpx-${tag}-pod`;
  const inNode = ['ip', 'netns', 'exec', nodeNs];
  const inPod = ['ip', 'netns', 'exec', podNs];
  const children: ChildProcess[] = [];
  for (const ns of [nodeNs, podNs]) await run([], ['ip', 'netns', 'del', ns]);
  await must(['ip', 'netns', 'add', nodeNs]);
  await must(['ip', 'netns', 'add', podNs]);
  const steps: string[][] = [
    [...inNode, 'ip', 'link', 'set', 'lo', 'up'],
    [...inPod, 'ip', 'link', 'set', 'lo', 'up'],
    // the node's "uplink": a veth pair whose far end goes nowhere (not every kernel has dummy interfaces)
    [...inNode, 'ip', 'link', 'add', 'uplink0', 'type', 'veth', 'peer', 'name', 'uplink1'],
    [...inNode, 'ip', 'addr', 'add', `${NODE_IP}/24`, 'dev', 'uplink0'],
    [...inNode, 'ip', 'link', 'set', 'uplink0', 'up'],
    [...inNode, 'ip', 'link', 'set', 'uplink1', 'up'],
    [...inNode, 'ip', 'route', 'add', SERVICE_CIDR, 'dev', 'uplink0'],
    [...inNode, 'ip', 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1'],
    [...inNode, 'ip', 'link', 'set', 'veth1', 'netns', podNs],
    [...inNode, 'ip', 'addr', 'add', `${GATEWAY_IP}/24`, 'dev', 'veth0'],
    [...inNode, 'ip', 'link', 'set', 'veth0', 'up'],
    [...inPod, 'ip', 'link', 'set', 'veth1', 'up'],
  ];
  try {
    for (const s of steps) await must(s);
  } catch (e) {
    for (const ns of [nodeNs, podNs]) await run([], ['ip', 'netns', 'del', ns]);
    throw e;
  }
  let routed = false;
  return {
    nodeNs,
    podNs,
    nodePrefix: inNode,
    async startEcho(ips, port) {
      for (const ip of ips) await must([...inPod, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'veth1']);
      if (!routed) {
        await must([...inPod, 'ip', 'route', 'add', 'default', 'via', GATEWAY_IP]);
        routed = true;
      }
      const child = spawn(inPod[0]!, [...inPod.slice(1), process.execPath, here('./echo-server.js'), ips.join(','), String(port)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.setEncoding('utf8').on('data', (d: string) => d.includes('ready') && resolve());
        child.on('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
      });
    },
    async probe<T>(args: Record<string, unknown>): Promise<T> {
      const r = await run(inNode, [process.execPath, here('./probe.js'), JSON.stringify(args)]);
      if (r.code !== 0) throw new Error(`probe failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    async destroy() {
      for (const c of children) c.kill('SIGKILL');
      for (const ns of [nodeNs, podNs]) await run([], ['ip', 'netns', 'del', ns]);
    },
  };
}
