// The userspace proxy backend: turns the proxy model into listening sockets. Every service port
// gets a frontend for its cluster IPs and one for its node port; every (protocol, address, port) it
// should answer on gets one listener pointing at a frontend. apply() diffs the listeners it has
// against the ones wanted: new ones are opened, gone ones closed, kept ones re-pointed, and
// endpoint lists are updated in place (connections to removed endpoints closed, the rest kept).
// Applies run one at a time. One bad entry or one address that cannot be bound does not stop the
// rest: apply finishes everything else, then rejects naming what failed, and the next apply retries it.

import { isIP } from 'node:net';
import { realClock, type Clock } from '../../../base/clock.js';
import type { Logger } from '../../../base/log.js';
import type { ProxyBackend, ProxyServicePort } from '../model.js';
import type { AddressManager } from './address-manager.js';
import { defaultAddressManager } from './addresses.js';
import { createFrontend, newCounters, type Frontend, type PortCounters } from './frontend.js';
import { listenTcp, type ProxyListener } from './tcp-proxy.js';
import { listenUdp } from './udp-proxy.js';

export interface UserspaceBackendOptions {
  log: Logger;
  /** addresses node ports listen on (default ['0.0.0.0']: every IPv4 address of the node, 127.0.0.1 included) */
  listenAddresses?: readonly string[];
  /** listen on cluster IPs at all (default true; false serves node ports only) */
  bindClusterIPs?: boolean;
  /**
   * makes cluster IPs local (default: defaultAddressManager, a dummy link on Linux as root, none
   * elsewhere); null: none, cluster IPs are not bound (see addresses.ts)
   */
  addressManager?: AddressManager | null;
  /** the dummy link of the default address manager (default tandem-svc0) */
  clusterIPLink?: string;
  /** idle time after which a UDP session ends (default 250 ms, kube-proxy's --udp-timeout) */
  udpIdleMs?: number;
  /** one TCP dial attempt per entry, each to the next endpoint (default 250, 500, 1000, 2000 ms) */
  dialTimeoutsMs?: readonly number[];
  /** for session affinity timeouts (default the real clock) */
  clock?: Clock;
}

interface UserspacePortStats extends PortCounters {
  id: string;
  protocol: string;
  /** `host:port` of each listener serving this service port */
  listeners: string[];
  clusterEndpoints: number;
  nodePortEndpoints: number;
  /** open TCP connections and UDP sessions */
  active: number;
}

interface UserspaceStats {
  listeners: number;
  /** cluster IPs made local by the address manager */
  clusterIPs: number;
  ports: UserspacePortStats[];
}

export type UserspaceBackend = ProxyBackend & { stats(): UserspaceStats };

interface PortState {
  spec: ProxyServicePort;
  counters: PortCounters;
  cluster: Frontend;
  node: Frontend;
}

interface Wanted {
  protocol: 'TCP' | 'UDP';
  host: string;
  port: number;
  frontend: Frontend;
}

/** Why a service port cannot be served, or undefined when it can. */
function invalid(p: ProxyServicePort): string | undefined {
  if (p.protocol !== 'TCP' && p.protocol !== 'UDP') return `protocol ${p.protocol} is not supported by the userspace proxy`;
  const badPort = (n: number | undefined) => n !== undefined && (!Number.isInteger(n) || n < 1 || n > 65535);
  if (badPort(p.port)) return `port ${p.port} is not in 1-65535`;
  if (badPort(p.nodePort)) return `nodePort ${p.nodePort} is not in 1-65535`;
  for (const ip of p.clusterIPs) if (!isIP(ip)) return `cluster IP ${JSON.stringify(ip)} is not an IP address`;
  for (const e of [...p.clusterEndpoints, ...p.nodePortEndpoints]) {
    if (!isIP(e.ip)) return `endpoint IP ${JSON.stringify(e.ip)} is not an IP address`;
    if (badPort(e.port)) return `endpoint port ${e.port} is not in 1-65535`;
  }
  return undefined;
}

export function createUserspaceBackend(o: UserspaceBackendOptions): UserspaceBackend {
  const log = o.log.child('userspace-proxy');
  const clock = o.clock ?? realClock;
  const listenAddresses = o.listenAddresses ?? ['0.0.0.0'];
  const addresses =
    o.bindClusterIPs === false || o.addressManager === null
      ? undefined
      : (o.addressManager ?? defaultAddressManager({ log, ...(o.clusterIPLink ? { linkName: o.clusterIPLink } : {}) }));
  const ports = new Map<string, PortState>();
  const listeners = new Map<string, ProxyListener>();
  let clusterIPs = 0;
  let warnedUnbound = false;
  let chain: Promise<void> = Promise.resolve();

  const listenerKey = (w: { protocol: string; host: string; port: number }) => `${w.protocol} ${w.host} ${w.port}`;

  function desired(specs: readonly ProxyServicePort[], problems: string[]): Map<string, Wanted> {
    const want = new Map<string, Wanted>();
    const claim = (w: Wanted) => {
      const key = listenerKey(w);
      const other = want.get(key);
      if (other && other.frontend !== w.frontend) problems.push(`${w.frontend.id}: ${key} is already used by ${other.frontend.id}`);
      else want.set(key, w);
    };
    for (const spec of specs) {
      const st = ports.get(spec.id);
      if (!st) continue;
      const protocol = spec.protocol as 'TCP' | 'UDP';
      if (addresses) for (const ip of spec.clusterIPs) claim({ protocol, host: ip, port: spec.port, frontend: st.cluster });
      if (spec.nodePort) for (const host of listenAddresses) claim({ protocol, host, port: spec.nodePort, frontend: st.node });
    }
    return want;
  }

  async function applyNow(specs: readonly ProxyServicePort[]): Promise<void> {
    const problems: string[] = [];
    const valid: ProxyServicePort[] = [];
    const seen = new Set<string>();
    for (const spec of specs) {
      const why = seen.has(spec.id) ? 'listed twice' : invalid(spec);
      seen.add(spec.id);
      if (why) problems.push(`${spec.id}: ${why}`);
      else valid.push(spec);
    }
    if (!addresses && !warnedUnbound && valid.some((s) => s.clusterIPs.length > 0)) {
      warnedUnbound = true;
      log.warn('cluster IPs are not bound on this host (no address manager: needs root on Linux); only node ports are served');
    }

    // Frontends: create, update in place (closing connections to removed endpoints), or drop.
    const keep = new Set(valid.map((s) => s.id));
    for (const [id, st] of ports) {
      if (keep.has(id)) continue;
      st.cluster.close();
      st.node.close();
      ports.delete(id);
    }
    for (const spec of valid) {
      let st = ports.get(spec.id);
      if (!st) {
        const counters = newCounters();
        const plog = log.child(spec.id);
        st = {
          spec,
          counters,
          cluster: createFrontend(spec.id, 'cluster', counters, clock, plog),
          node: createFrontend(spec.id, 'node', counters, clock, plog),
        };
        ports.set(spec.id, st);
      }
      st.spec = spec;
      st.cluster.update(spec.clusterEndpoints, spec.affinityTimeoutSeconds);
      st.node.update(spec.nodePortEndpoints, spec.affinityTimeoutSeconds);
    }

    // Listeners: close the ones not wanted, then the addresses, then open the new ones.
    const want = desired(valid, problems);
    for (const [key, l] of listeners) {
      const w = want.get(key);
      if (w) l.frontend = w.frontend;
      else {
        listeners.delete(key);
        await l.close();
      }
    }
    if (addresses) {
      const ips = [...new Set(valid.flatMap((s) => s.clusterIPs))];
      try {
        await addresses.sync(ips);
        clusterIPs = ips.length;
      } catch (e) {
        problems.push(`cluster IP addresses (${addresses.name}): ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (const [key, w] of want) {
      if (listeners.has(key)) continue;
      try {
        const l =
          w.protocol === 'TCP'
            ? await listenTcp(w.host, w.port, w.frontend, o.dialTimeoutsMs ? { dialTimeoutsMs: o.dialTimeoutsMs } : {})
            : await listenUdp(w.host, w.port, w.frontend, o.udpIdleMs ? { idleMs: o.udpIdleMs } : {});
        listeners.set(key, l);
        log.debug('listening', { service: w.frontend.id, address: l.address, protocol: w.protocol });
      } catch (e) {
        problems.push(`${w.frontend.id}: cannot listen on ${w.protocol} ${key}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (problems.length > 0) {
      for (const p of problems) log.warn('service port not fully served', { problem: p });
      throw new Error(`userspace proxy: ${problems.length} problem(s): ${problems.join('; ')}`);
    }
  }

  /** Runs one apply or cleanup at a time, in call order. */
  function serial(fn: () => Promise<void>): Promise<void> {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  }

  return {
    name: 'userspace',
    apply: (specs) => serial(() => applyNow(specs)),
    cleanup: () =>
      serial(async () => {
        for (const st of ports.values()) {
          st.cluster.close();
          st.node.close();
        }
        ports.clear();
        const all = [...listeners.values()];
        listeners.clear();
        await Promise.all(all.map((l) => l.close()));
        if (addresses) await addresses.cleanup();
        clusterIPs = 0;
      }),
    stats() {
      const byPort = new Map<string, string[]>();
      for (const l of listeners.values()) {
        const list = byPort.get(l.frontend.id) ?? [];
        list.push(l.address);
        byPort.set(l.frontend.id, list);
      }
      const out: UserspacePortStats[] = [];
      for (const st of ports.values()) {
        const c = { ...st.counters };
        let active = 0;
        for (const t of [...st.cluster.tracked, ...st.node.tracked]) {
          const [a, b] = t.pendingBytes();
          c.bytesIn += a;
          c.bytesOut += b;
          active++;
        }
        out.push({
          id: st.spec.id,
          protocol: st.spec.protocol,
          listeners: byPort.get(st.spec.id) ?? [],
          clusterEndpoints: st.cluster.balancer.size(),
          nodePortEndpoints: st.node.balancer.size(),
          active,
          ...c,
        });
      }
      return { listeners: listeners.size, clusterIPs, ports: out };
    },
  };
}
