// The repair pass of Service allocation (upstream's ClusterIP and NodePort repair loops), run at
// API server start and then periodically: entries whose Service is gone, or no longer holds them,
// are freed; a Service whose address or port has no entry (a store written before allocation was
// store-backed, or an entry lost) gets one. An orphan younger than `graceMs` is left alone: another
// API server may have taken it for a create or update it has not stored yet.

import type { AnyObject } from '../../api/object.js';
import type { Logger } from '../../base/log.js';
import type { Backend } from '../../storage/backend.js';
import { decodeStored } from '../registry/codec.js';
import type { AllocationKeys } from './alloc-keys.js';
import type { ServiceAllocator } from './service-alloc.js';

export interface RepairResult {
  /** entries freed because no Service holds them */
  freed: number;
  /** entries written for Services that held an address or port without one */
  recorded: number;
  /** addresses or ports two Services claim, or that lie outside the configured range (logged) */
  problems: string[];
}

export interface RepairOptions {
  backend: Backend;
  allocator: ServiceAllocator;
  /** where Services are stored (resourcePrefix of the Service kind) */
  servicePrefix: string;
  log?: Logger;
  /** orphans younger than this stay (default 60 s) */
  graceMs?: number;
  now?: () => number;
}

export async function repairServiceAllocations(o: RepairOptions): Promise<RepairResult> {
  const now = o.now ?? Date.now;
  const grace = o.graceMs ?? 60_000;
  const result: RepairResult = { freed: 0, recorded: 0, problems: [] };
  // entries first, Services second: an entry taken after this listing is not judged at all
  const [ipEntries, portEntries] = await Promise.all([o.allocator.ipKeys.list(), o.allocator.portKeys.list()]);
  const services: AnyObject[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await o.backend.list(o.servicePrefix, { limit: 1000, ...(after ? { after } : {}) });
    for (const kv of page.kvs) services.push(decodeStored(kv.value, kv.modRevision));
    if (!page.more || page.kvs.length === 0) break;
    after = page.kvs[page.kvs.length - 1]!.key;
  }
  const wantIps = new Map<string, AnyObject>();
  const wantPorts = new Map<string, AnyObject>();
  const [npLo, npHi] = o.allocator.nodePortRange;
  const who = (s: AnyObject) => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`;
  for (const svc of services) {
    const h = o.allocator.holdings(svc);
    for (const ip of h.ips) {
      if (!o.allocator.ipInRange(ip)) {
        result.problems.push(`Service ${who(svc)}: cluster IP ${ip} is not within the service CIDR ${o.allocator.serviceCIDR}`);
        continue;
      }
      if (wantIps.has(ip)) result.problems.push(`cluster IP ${ip} is held by both ${who(wantIps.get(ip)!)} and ${who(svc)}`);
      else wantIps.set(ip, svc);
    }
    for (const p of h.ports) {
      if (p < npLo || p > npHi) {
        result.problems.push(`Service ${who(svc)}: node port ${p} is not within the range ${npLo}-${npHi}`);
        continue;
      }
      const k = String(p);
      if (wantPorts.has(k)) result.problems.push(`node port ${p} is held by both ${who(wantPorts.get(k)!)} and ${who(svc)}`);
      else wantPorts.set(k, svc);
    }
  }

  async function reconcile(keys: AllocationKeys, entries: Awaited<ReturnType<AllocationKeys['list']>>, want: Map<string, AnyObject>) {
    for (const [item, { owner, kv }] of entries) {
      const holder = want.get(item);
      if (holder && owner && holder.metadata.uid === owner.uid) continue;
      if (holder && owner && (services.some((s) => s.metadata.uid === owner.uid) || now() - owner.at < grace)) {
        result.problems.push(`${item} is held by Service ${who(holder)} but allocated to ${owner.namespace}/${owner.name}`);
        continue;
      }
      if (owner && now() - owner.at < grace) continue;
      // no Service holds it (or its entry names a Service that is gone): free it, then re-record below
      if (await keys.removeIfUnchanged(kv)) {
        result.freed++;
        entries.delete(item);
      }
    }
    for (const [item, svc] of want) {
      if (entries.has(item)) continue;
      const m = svc.metadata;
      if (await keys.claim(item, { namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '', at: now() })) result.recorded++;
      else result.problems.push(`${item} of Service ${who(svc)} was taken by another Service during repair`);
    }
  }
  await reconcile(o.allocator.ipKeys, ipEntries, wantIps);
  await reconcile(o.allocator.portKeys, portEntries, wantPorts);
  for (const p of result.problems) o.log?.warn(`service allocation repair: ${p}`);
  if (result.freed || result.recorded) o.log?.info('service allocation repaired', { freed: result.freed, recorded: result.recorded });
  return result;
}

/** Runs the repair every `everyMs` (upstream: 3 minutes) until stopped; failures are logged and retried next time. */
export function startServiceAllocationRepair(o: RepairOptions & { everyMs?: number }): { stop(): void } {
  const timer = setInterval(() => {
    repairServiceAllocations(o).catch((e: unknown) => o.log?.warn('service allocation repair failed', { error: String(e) }));
  }, o.everyMs ?? 180_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
