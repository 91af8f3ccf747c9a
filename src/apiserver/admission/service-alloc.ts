// ClusterIP and NodePort allocation for Services, kept in the store (alloc-keys.ts: one entry per
// address or port, created atomically), so that every API server on one store sees the same set and
// a restart keeps it. Messages and field paths are upstream's (pkg/registry/core/service/storage,
// ipallocator, portallocator) for a single-stack IPv4 cluster.
//
// A create takes what the Service needs before it is stored; the caller frees it again when the
// store refuses the object (createFailed in admission.ts). An update takes only what is new and
// reports it; releasing what the old object held and the new one does not waits until the update
// is stored (or the new takings are undone when it is not), as upstream's update transactions do.

import type { Service, ServicePort, ServiceSpec } from '../../api/gen/types.js';
import type { AnyObject } from '../../api/object.js';
import { internal, invalid, type FieldError } from '../../base/errors.js';
import { formatIpv4, formatIpv4Cidr, parseIpv4, parseIpv4Cidr } from '../../base/ipv4-cidr.js';
import type { Backend } from '../../storage/backend.js';
import { createAllocationKeys, type AllocationKeys, type AllocationOwner } from './alloc-keys.js';
import { allocateNext, lowerBandSize, type NumericRange } from './alloc-range.js';
import { ipFamilyErrors } from './service-ip-family.js';

const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';
const DEFAULT_NODE_PORT_RANGE: readonly [number, number] = [30000, 32767];
/** Where the entries live: upstream keeps its ranges under /registry/ranges too. */
export const SERVICE_IP_PREFIX = '/registry/ranges/serviceips/';
export const NODE_PORT_PREFIX = '/registry/ranges/servicenodeports/';

/** The addresses and ports one Service holds (or one step took). */
export interface Holdings {
  ips: string[];
  ports: number[];
}

export interface ServiceAllocator {
  /** the Service range as given (`10.96.0.0/16`), for messages */
  readonly serviceCIDR: string;
  /** The first address (the `kubernetes` Service's) and the tenth (`kube-dns`'s). */
  readonly wellKnown: { apiserver: string; dns: string };
  readonly ipKeys: AllocationKeys;
  readonly portKeys: AllocationKeys;
  readonly nodePortRange: readonly [number, number];
  /** Fills spec.clusterIP(s) and nodePorts of a new Service; throws 422 (bad or taken request) or 500 (range full). */
  allocateCreate(svc: AnyObject, dryRun: boolean): Promise<void>;
  /** Takes what an update newly needs (type changes, new nodePorts); returns it so a failed update can free it. */
  allocateUpdate(next: AnyObject, old: AnyObject, dryRun: boolean): Promise<Holdings>;
  /** Frees `items` where `svc`'s uid holds them (default: everything `svc` holds). */
  release(svc: AnyObject, items?: Holdings): Promise<void>;
  /** What a stored Service holds. */
  holdings(svc: AnyObject): Holdings;
  /** Whether an address is one this allocator manages (in the range, not network or broadcast). */
  ipInRange(ip: string): boolean;
}

export interface ServiceAllocatorOptions {
  backend: Backend;
  /** default 10.96.0.0/16 */
  serviceCIDR?: string;
  /** default 30000-32767 */
  nodePortRange?: readonly [number, number];
}

const specOf = (svc: AnyObject): ServiceSpec => ((svc as unknown as Service).spec ??= {});
const typeOf = (spec: ServiceSpec) => spec.type ?? 'ClusterIP';
const needsNodePorts = (spec: ServiceSpec) => typeOf(spec) === 'NodePort' || typeOf(spec) === 'LoadBalancer';
/** LoadBalancers may opt out of node ports; explicit ones are still honoured. */
const allocatesNodePorts = (spec: ServiceSpec) =>
  typeOf(spec) === 'NodePort' || (typeOf(spec) === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);

function ownerOf(svc: AnyObject): AllocationOwner {
  return { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '', uid: svc.metadata.uid ?? '', at: Date.now() };
}

export function createServiceAllocator(opts: ServiceAllocatorOptions): ServiceAllocator {
  const cidrText = opts.serviceCIDR ?? DEFAULT_SERVICE_CIDR;
  const cidr = parseIpv4Cidr(cidrText);
  if (cidr.prefix > 28)
    throw new Error(`service CIDR ${cidrText} is too small (at most /28: it needs room for the kubernetes and kube-dns addresses)`);
  const shown = formatIpv4Cidr(cidr);
  // network and broadcast addresses are never handed out
  const first = cidr.base + 1;
  const last = cidr.base + cidr.size - 2;
  const apiserverIp = first;
  const dnsIp = cidr.base + 10;
  const ipRange: NumericRange = {
    first,
    last,
    lowerBand: lowerBandSize(last - first + 1, 16, 16, 256),
    reserved: new Set([apiserverIp, dnsIp]),
  };
  const [npLo, npHi] = opts.nodePortRange ?? DEFAULT_NODE_PORT_RANGE;
  const portRange: NumericRange = { first: npLo, last: npHi, lowerBand: lowerBandSize(npHi - npLo + 1, 32, 16, 128), reserved: new Set() };
  const ipKeys = createAllocationKeys(opts.backend, SERVICE_IP_PREFIX);
  const portKeys = createAllocationKeys(opts.backend, NODE_PORT_PREFIX);
  const inRange = (n: number) => n >= first && n <= last;

  /** The takings of one allocation step, undone when a later part of the step fails. */
  function step(svc: AnyObject, dryRun: boolean) {
    const owner = ownerOf(svc);
    const took: Holdings = { ips: [], ports: [] };
    return {
      took,
      async ip(requested: string | undefined, name: string, all: string[]): Promise<string> {
        if (requested === undefined) {
          const n = await allocateNext(ipRange, ipKeys, formatIpv4, owner, dryRun);
          if (n === undefined) throw internal('failed to allocate a serviceIP: range is full');
          if (!dryRun) took.ips.push(formatIpv4(n));
          return formatIpv4(n);
        }
        const n = parseIpv4(requested);
        const fail = (why: string) =>
          invalid('Service', '', name, [
            { type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: all, detail: `failed to allocate IP ${requested}: ${why}` },
          ]);
        if (n === undefined || !inRange(n))
          throw fail(`the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${shown}`);
        const ok = dryRun ? await ipKeys.isFree(requested) : await ipKeys.claim(requested, owner);
        if (!ok) throw fail('provided IP is already allocated');
        if (!dryRun) took.ips.push(requested);
        return requested;
      },
      async port(requested: number | undefined, field: string, name: string): Promise<number> {
        if (requested === undefined) {
          const n = await allocateNext(portRange, portKeys, String, owner, dryRun);
          if (n === undefined) throw internal('failed to allocate a nodePort: range is full');
          if (!dryRun) took.ports.push(n);
          return n;
        }
        const fail = (why: string) => invalid('Service', '', name, [{ type: 'FieldValueInvalid', field, value: requested, detail: why }]);
        if (requested < npLo || requested > npHi)
          throw fail(`provided port is not in the valid range. The range of valid ports is ${npLo}-${npHi}`);
        const ok = dryRun ? await portKeys.isFree(String(requested)) : await portKeys.claim(String(requested), owner);
        if (!ok) throw fail('provided port is already allocated');
        if (!dryRun) took.ports.push(requested);
        return requested;
      },
      undo: () => release(svc, took),
    };
  }

  async function clusterIPs(spec: ServiceSpec, s: ReturnType<typeof step>, name: string): Promise<void> {
    const requested = spec.clusterIP || undefined;
    if (requested === 'None') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
      return;
    }
    const ip = await s.ip(requested, name, spec.clusterIPs ?? (requested ? [requested] : []));
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }

  /** Node ports for the ports that need one; ports sharing a port number (TCP and UDP) share it, as upstream. */
  async function nodePorts(spec: ServiceSpec, s: ReturnType<typeof step>, name: string, kept: ReadonlySet<number>): Promise<void> {
    const ports: ServicePort[] = spec.ports ?? [];
    const byPort = new Map<number, number>();
    for (const [i, p] of ports.entries()) {
      const field = `spec.ports[${i}].nodePort`;
      const np = p.nodePort || undefined;
      if (np === undefined && !allocatesNodePorts(spec)) continue;
      const shared = byPort.get(p.port);
      if (shared !== undefined && (np === undefined || np === shared)) {
        p.nodePort = shared;
        continue;
      }
      const wanted = np ?? (shared === undefined ? ports.find((q) => q.port === p.port && q.nodePort)?.nodePort : undefined);
      const got = wanted !== undefined && kept.has(wanted) ? wanted : await s.port(wanted, field, name);
      p.nodePort = got;
      if (shared === undefined) byPort.set(p.port, got);
    }
  }

  async function release(svc: AnyObject, items?: Holdings): Promise<void> {
    const uid = svc.metadata.uid;
    if (!uid) return;
    const h = items ?? holdings(svc);
    await Promise.all([...h.ips.map((ip) => ipKeys.release(ip, uid)), ...h.ports.map((p) => portKeys.release(String(p), uid))]);
  }

  function holdings(svc: AnyObject): Holdings {
    const spec = (svc as unknown as Service).spec ?? {};
    if (typeOf(spec) === 'ExternalName') return { ips: [], ports: [] };
    const ips = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip !== 'None' && ip !== '');
    const ports = [...new Set((spec.ports ?? []).map((p) => p.nodePort).filter((n): n is number => typeof n === 'number' && n > 0))];
    return { ips, ports };
  }

  return {
    serviceCIDR: shown,
    wellKnown: { apiserver: formatIpv4(apiserverIp), dns: formatIpv4(dnsIp) },
    ipKeys,
    portKeys,
    nodePortRange: [npLo, npHi],
    holdings,
    release,
    ipInRange: (ip) => {
      const n = parseIpv4(ip);
      return n !== undefined && inRange(n);
    },
    async allocateCreate(svc, dryRun) {
      const spec = specOf(svc);
      const name = svc.metadata.name ?? '';
      const errs: FieldError[] = ipFamilyErrors(spec);
      if (errs.length) throw invalid('Service', '', name, errs);
      const s = step(svc, dryRun);
      try {
        if (typeOf(spec) !== 'ExternalName') await clusterIPs(spec, s, name);
        if (needsNodePorts(spec)) await nodePorts(spec, s, name, new Set());
      } catch (e) {
        await s.undo();
        throw e;
      }
    },
    async allocateUpdate(next, old, dryRun) {
      const spec = specOf(next);
      const oldSpec = (old as unknown as Service).spec ?? {};
      const name = next.metadata.name ?? '';
      const errs: FieldError[] = ipFamilyErrors(spec);
      if (errs.length) throw invalid('Service', '', name, errs);
      const s = step(old, dryRun);
      try {
        // ExternalName -> a type with a cluster IP: allocate one (the reverse is freed after the write)
        if (typeOf(oldSpec) === 'ExternalName' && typeOf(spec) !== 'ExternalName') await clusterIPs(spec, s, name);
        if (needsNodePorts(spec)) await nodePorts(spec, s, name, new Set(holdings(old).ports));
      } catch (e) {
        await s.undo();
        throw e;
      }
      return s.took;
    },
  };
}
