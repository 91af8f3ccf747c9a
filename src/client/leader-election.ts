// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does: the
// holder renews the lease; others take it over once it has not been renewed for its duration.
// Several servers sharing one store thus run one scheduler and one set of controllers.

import { microTime } from '../base/time.js';
import { StatusError } from '../base/errors.js';
import type { RestClient } from './rest-client.js';

export interface LeaderElectionOptions {
  namespace?: string;          // kube-system
  name: string;                // e.g. tandem-controller-manager
  identity: string;            // unique per process
  leaseDurationSeconds?: number; // 15
  retryPeriodMs?: number;      // 2000
  onStartedLeading(): void;
  onStoppedLeading(): void;
  log?: (line: string) => void;
  now?: () => number;
}

export interface LeaderElector { isLeader(): boolean; stop(): Promise<void> }

interface Lease {
  apiVersion?: string; kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

export function startLeaderElection(client: RestClient, o: LeaderElectionOptions): LeaderElector {
  const ns = o.namespace ?? 'kube-system';
  const duration = o.leaseDurationSeconds ?? 15;
  const retry = o.retryPeriodMs ?? 2000;
  const now = o.now ?? Date.now;
  const path = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
  let leader = false;
  let stopped = false;
  let lastRenew = 0;
  let timer: NodeJS.Timeout | undefined;

  const setLeader = (v: boolean) => {
    if (v === leader) return;
    leader = v;
    if (v) o.onStartedLeading(); else o.onStoppedLeading();
  };

  async function tryAcquireOrRenew(): Promise<boolean> {
    const t = now();
    const cur = await client.getOrUndefined<Lease>(`${path}/${o.name}`);
    const spec = { holderIdentity: o.identity, leaseDurationSeconds: duration, renewTime: microTime(t) };
    if (!cur) {
      await client.request('POST', path, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: o.name, namespace: ns }, spec: { ...spec, acquireTime: microTime(t), leaseTransitions: 0 } });
      return true;
    }
    const s = cur.spec ?? {};
    const held = s.holderIdentity && s.holderIdentity !== o.identity;
    const renewed = s.renewTime ? Date.parse(s.renewTime) : 0;
    if (held && renewed + (s.leaseDurationSeconds ?? duration) * 1000 > t) return false;
    const next: Lease = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: cur.metadata,
      spec: {
        ...spec,
        acquireTime: s.holderIdentity === o.identity && s.acquireTime ? s.acquireTime : microTime(t),
        leaseTransitions: (s.leaseTransitions ?? 0) + (s.holderIdentity === o.identity ? 0 : 1),
      },
    };
    await client.request('PUT', `${path}/${o.name}`, next); // resourceVersion makes it a compare-and-swap
    return true;
  }

  const loop = async () => {
    if (stopped) return;
    try {
      const ok = await tryAcquireOrRenew();
      if (ok) lastRenew = now();
      setLeader(ok);
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) o.log?.(`leader election ${o.name}: ${e instanceof Error ? e.message : String(e)}`);
      // keep leading only while the last renewal is fresh
      if (leader && now() - lastRenew > duration * 1000 * 0.66) setLeader(false);
    }
    if (!stopped) timer = setTimeout(() => void loop(), retry);
  };
  void loop();

  return {
    isLeader: () => leader,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (leader) {
        // release: let another server take over at once
        try {
          const cur = await client.getOrUndefined<Lease>(`${path}/${o.name}`);
          if (cur?.spec?.holderIdentity === o.identity) {
            await client.request('PUT', `${path}/${o.name}`, { ...cur, spec: { ...cur.spec, holderIdentity: '', leaseDurationSeconds: 1 } });
          }
        } catch { /* best effort */ }
        setLeader(false);
      }
    },
  };
}
