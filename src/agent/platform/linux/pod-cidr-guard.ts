// Before a private containerd's bridge takes the node's pod range: the range must not be routed to
// another interface already (a second Tandem on the same default 10.42.0.0/24, a VPN, a docker
// network), or this node's pods lose their route with no error anywhere; and this data dir's own
// bridge, left by a stop that did not clean up, must not keep an address of an older range (its
// kernel route would shadow whoever owns that range now). The decision is pure (podCidrConflicts,
// staleBridgeAddresses); guardPodCidr reads the host with iproute2 and acts on it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseIpv4, parseIpv4Cidr, type Ipv4Cidr } from '../../../base/ipv4-cidr.js';

const run = promisify(execFile);

/** One route of `ip -j -4 route show table main`. */
export interface HostRoute {
  dst?: string;
  dev?: string;
  protocol?: string;
}

/** One IPv4 address of a device (`ip -j -4 addr show dev X`). */
export interface BridgeAddress {
  local: string;
  prefixlen: number;
}

/** The pod network's own marked routes (src/network/podnet, proto 116): reconciled by it, never a conflict. */
const PODNET_PROTO = '116';

/** The range is refused: an interface other than this data dir's bridge routes (part of) it. */
class PodCidrTakenError extends Error {
  override readonly name = 'PodCidrTakenError';
}

const cidrOf = (dst: string): Ipv4Cidr | undefined => {
  if (dst === 'default') return undefined;
  try {
    return parseIpv4Cidr(dst.includes('/') ? dst : `${dst}/32`);
  } catch {
    return undefined;
  }
};

/**
 * Routes that take (part of) `podCidr` away from `ownBridge`: an equal or more specific range on
 * another device. A wider route (10.0.0.0/8 through a VPN) is not one: the bridge's own route is
 * more specific and wins.
 */
export function podCidrConflicts(podCidr: string, ownBridge: string, routes: readonly HostRoute[]): HostRoute[] {
  const pod = parseIpv4Cidr(podCidr);
  return routes.filter((r) => {
    if (!r.dst || r.dev === ownBridge || r.protocol === PODNET_PROTO) return false;
    const c = cidrOf(r.dst);
    return !!c && c.prefix >= pod.prefix && c.base >= pod.base && c.base < pod.base + pod.size;
  });
}

/** Addresses of the bridge that are not the gateway of `podCidr` (a range the node no longer has). */
export function staleBridgeAddresses(podCidr: string, addrs: readonly BridgeAddress[]): BridgeAddress[] {
  const pod = parseIpv4Cidr(podCidr);
  const gateway = pod.base + 1;
  return addrs.filter((a) => parseIpv4(a.local) !== gateway || a.prefixlen !== pod.prefix);
}

/** The refusal, naming who routes the range and what to do. */
export function podCidrRefusal(podCidr: string, conflicts: readonly HostRoute[]): string {
  const who = conflicts.map((r) => `${r.dst} dev ${r.dev ?? '?'}`).join(', ');
  const tandem = conflicts.some((r) => r.dev?.startsWith('tdm'));
  return (
    `the pod range ${podCidr} is already routed on this host (${who}), so this node's pods would be unreachable. ` +
    (tandem
      ? `A tdm… bridge is another Tandem's (another data dir): stop it with \`tandem down --data-dir DIR\`, or give this one its own ranges, ` +
        `e.g. \`tandem up --cluster-cidr 10.43.0.0/16 --service-cidr 10.97.0.0/16\` (or --pod-cidr).`
      : `Give this node a range nobody routes (--pod-cidr, or the server's --cluster-cidr), or remove that route (\`ip route del ${conflicts[0]?.dst ?? ''}\`).`)
  );
}

async function ipJson<T>(args: string[]): Promise<T[]> {
  const { stdout } = await run('ip', ['-j', ...args], { timeout: 10_000 });
  return stdout.trim() ? (JSON.parse(stdout) as T[]) : [];
}

/**
 * Refuses (PodCidrTakenError) a range another interface routes, and takes stale addresses off this
 * data dir's bridge (their routes go with them). Returns what it removed, for the log.
 */
export async function guardPodCidr(podCidr: string, ownBridge: string): Promise<string[]> {
  const routes = await ipJson<HostRoute>(['-4', 'route', 'show', 'table', 'main']);
  const conflicts = podCidrConflicts(podCidr, ownBridge, routes);
  if (conflicts.length) throw new PodCidrTakenError(podCidrRefusal(podCidr, conflicts));
  const links = await ipJson<{ addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }> }>([
    '-4',
    'addr',
    'show',
    'dev',
    ownBridge,
  ]).catch(() => []); // no bridge yet
  const addrs = (links[0]?.addr_info ?? [])
    .filter((a) => a.family === 'inet' && a.local !== undefined && a.prefixlen !== undefined)
    .map((a) => ({ local: a.local!, prefixlen: a.prefixlen! }));
  const removed: string[] = [];
  for (const a of staleBridgeAddresses(podCidr, addrs)) {
    await run('ip', ['addr', 'del', `${a.local}/${a.prefixlen}`, 'dev', ownBridge], { timeout: 10_000 });
    removed.push(`${a.local}/${a.prefixlen}`);
  }
  return removed;
}
