// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does: the
// holder renews the lease; others take it over once it has not been renewed for its duration.
// Several servers sharing one store thus run one scheduler and one set of controllers.

import type { Lease } from '../api/gen/types.js';
import { leaseKind } from '../api/kinds/coordination/lease.js';
import { microTime } from '../base/time.js';
import { StatusError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { RestClient } from './rest-client.js';
import { defaultRegistry } from '../base/metrics.js';

export interface LeaderElectionOptions {
  namespace?: string; // kube-system
  name: string; // e.g. tandem-controller-manager
  identity: string; // unique per process
  leaseDurationSeconds?: number; // 15
  retryPeriodMs?: number; // 2000
  onStartedLeading(): void;
  onStoppedLeading(): void;
  log?: Logger;
  now?: () => number;
}

export interface LeaderElector {
  isLeader(): boolean;
  stop(): Promise<void>;
}

/** how long after a lease's expiry a follower tries to take it (the holder's clock and ours may differ by this much) */
const EXPIRY_SLACK_MS = 10;

export function startLeaderElection(client: RestClient, o: LeaderElectionOptions): LeaderElector {
  const ns = o.namespace ?? 'kube-system';
  const duration = o.leaseDurationSeconds ?? 15;
  const retry = o.retryPeriodMs ?? 2000;
  const now = o.now ?? Date.now;
  const leases = client.resource(leaseKind).namespace(ns);
  let leader = false;
  let stopped = false;
  let lastRenew = 0;
  let timer: NodeJS.Timeout | undefined;
  /** when another holder's lease runs out (ms, its renewTime + duration); 0 when none is held */
  let othersExpiry = 0;
  // upstream's gauge: 1 while this process holds the lease, by the lease's name
  const status = defaultRegistry
    .gauge({
      name: 'leader_election_master_status',
      help: 'Whether this process leads (1) or not (0), by lease name.',
      labelNames: ['name'],
    })
    .labels(o.name);
  status.set(0);

  const setLeader = (v: boolean) => {
    if (v === leader) return;
    leader = v;
    status.set(v ? 1 : 0);
    if (v) o.onStartedLeading();
    else o.onStoppedLeading();
  };

  async function tryAcquireOrRenew(): Promise<boolean> {
    const t = now();
    othersExpiry = 0;
    const cur = await leases.getOrUndefined(o.name);
    const spec = { holderIdentity: o.identity, leaseDurationSeconds: duration, renewTime: microTime(t) };
    if (!cur) {
      await leases.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: o.name, namespace: ns },
        spec: { ...spec, acquireTime: microTime(t), leaseTransitions: 0 },
      });
      return true;
    }
    const s = cur.spec ?? {};
    const held = s.holderIdentity && s.holderIdentity !== o.identity;
    const renewed = s.renewTime ? Date.parse(s.renewTime) : 0;
    othersExpiry = held ? renewed + (s.leaseDurationSeconds ?? duration) * 1000 : 0;
    if (held && othersExpiry > t) return false;
    const next: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: cur.metadata,
      spec: {
        ...spec,
        acquireTime: s.holderIdentity === o.identity && s.acquireTime ? s.acquireTime : microTime(t),
        leaseTransitions: (s.leaseTransitions ?? 0) + (s.holderIdentity === o.identity ? 0 : 1),
      },
    };
    await leases.update(next); // resourceVersion makes it a compare-and-swap
    return true;
  }

  const loop = async () => {
    if (stopped) return;
    try {
      const ok = await tryAcquireOrRenew();
      if (ok) lastRenew = now();
      setLeader(ok);
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) o.log?.warn('leader election failed', { lease: `${ns}/${o.name}`, error: e });
      // keep leading only while the last renewal is fresh
      if (leader && now() - lastRenew > duration * 1000 * 0.66) setLeader(false);
    }
    // A follower tries again on the retry period, or right when the holder's lease runs out if that
    // is sooner: takeover then follows a dead leader's last renewal by the lease duration, not by up
    // to one retry period more (client-go's fixed-period retry gives 15–17 s with its defaults).
    const untilExpiry = othersExpiry > 0 ? othersExpiry - now() + EXPIRY_SLACK_MS : retry;
    if (!stopped) timer = setTimeout(() => void loop(), Math.max(EXPIRY_SLACK_MS, Math.min(retry, untilExpiry)));
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
          const cur = await leases.getOrUndefined(o.name);
          if (cur?.spec?.holderIdentity === o.identity) {
            await leases.update({ ...cur, spec: { ...cur.spec, holderIdentity: '', leaseDurationSeconds: 1 } });
          }
        } catch {
          /* best effort */
        }
        setLeader(false);
      }
    },
  };
}
