// The node's pod network loop: Nodes from an informer, this host's interface addresses, the plan
// (plan.ts) and the kernel (programmer.ts). Node status updates are frequent and mostly heartbeats,
// so only a change of a node's InternalIP or pod CIDR (or a node coming or going) asks for work; work
// is batched (at most one apply per `minSyncMs`), retried with back-off when it fails, and redone
// every `resyncMs` anyway, so a route someone deleted by hand or a changed host address is repaired.
// Nothing is applied before the cache has synced: a partial view would delete live nodes' routes.

import type { Node } from '../../api/gen/types.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { createCoalescedApply } from '../../base/coalesced-apply.js';
import { realClock, type Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import { createInformerFactory, type InformerFactory } from '../../client/informer-factory.js';
import type { RestClient } from '../../client/rest-client.js';
import { nodeInternalIP, nodePodCidr, planPodNetwork, type PodNetPlan, type VxlanSettings } from './plan.js';
import { createPodNetProgrammer, type PodNetProgrammer } from './programmer.js';

export interface PodNetworkOptions {
  /** The API client; informers are made from it unless `informers` is given. */
  client?: RestClient;
  /** Shared informers (started here; stopped by their owner). */
  informers?: InformerFactory;
  nodeName: string;
  /** The cluster's pod range (`--cluster-cidr`): pod traffic leaving it is masqueraded; absent, no masquerade rule. */
  clusterCidr?: string;
  /** This node's InternalIP and pod CIDR, when not to be read from its Node object. */
  nodeIP?: string;
  podCidr?: string;
  /** e.g. ['ip', 'netns', 'exec', NS]: program a network namespace instead of the host */
  commandPrefix?: readonly string[];
  vxlan?: Partial<VxlanSettings>;
  /** nft table of the masquerade rule (default `tandem-podnet`; a node names its own after its data dir) */
  table?: string;
  /** Replaces the iproute2 programmer (tests). */
  programmer?: PodNetProgrammer;
  log: Logger;
  /** Least time between two applies (default 250 ms). */
  minSyncMs?: number;
  /** Full reconcile at least this often (default 60 s). */
  resyncMs?: number;
  retryMs?: { initial: number; max: number };
  clock?: Clock;
}

export interface PodNetworkStats {
  applies: number;
  failures: number;
  direct: number;
  vxlan: number;
  skipped: number;
}

export interface PodNetwork {
  /** Resolves after the first successful apply. */
  synced(): Promise<void>;
  stats(): PodNetworkStats;
  /** The last plan applied. */
  plan(): PodNetPlan | undefined;
  /** Stops watching; with `cleanup` the routes, tunnel device and masquerade table are removed. */
  stop(opts?: { cleanup?: boolean }): Promise<void>;
}

/** What of a Node the plan reads: a heartbeat changes none of it. */
const relevant = (n: Node) => `${nodeInternalIP(n) ?? ''} ${nodePodCidr(n) ?? ''}`;

export function startPodNetwork(o: PodNetworkOptions): PodNetwork {
  if (!o.client && !o.informers) throw new Error('startPodNetwork: give client or informers');
  const clock = o.clock ?? realClock;
  const minSyncMs = o.minSyncMs ?? 250;
  const resyncMs = o.resyncMs ?? 60_000;
  const log = o.log;
  const programmer =
    o.programmer ??
    createPodNetProgrammer({
      log,
      ...(o.commandPrefix ? { commandPrefix: o.commandPrefix } : {}),
      ...(o.vxlan ? { vxlan: o.vxlan } : {}),
      ...(o.table ? { table: o.table } : {}),
    });
  const own = o.informers ? undefined : createInformerFactory(o.client!);
  const informers = o.informers ?? own!;
  const nodes = informers.for(nodeKind);
  const stats: PodNetworkStats = { applies: 0, failures: 0, direct: 0, vxlan: 0, skipped: 0 };
  let last: PodNetPlan | undefined;
  let stopped = false;
  let waitingFor = '';
  let cancelResync: (() => void) | undefined;
  let markSynced!: () => void;
  const syncedP = new Promise<void>((r) => (markSynced = r));

  const loop = createCoalescedApply({
    clock,
    minIntervalMs: minSyncMs,
    ...(o.retryMs ? { retry: o.retryMs } : {}),
    apply: applyNow,
    onRetry(e, delay) {
      stats.failures++;
      log.warn('pod network apply failed; retrying', { retryMs: Math.round(delay), err: e as Error });
    },
    // synced once a plan was applied (an attempt that still waits for the Node's range applies none)
    onApplied: () => {
      if (last) markSynced();
    },
    onRecovered: () => log.info('pod network applied again'),
  });
  const changed = () => loop.changed();
  const resync = () => {
    cancelResync = clock.schedule(() => {
      changed();
      resync();
    }, resyncMs);
  };

  async function applyNow(): Promise<void> {
    const me = nodes.get(o.nodeName);
    const ip = o.nodeIP ?? (me && nodeInternalIP(me));
    const podCidr = o.podCidr ?? (me && nodePodCidr(me));
    if (!ip || !podCidr) {
      // the Node is updated once the agent registers it and node IPAM gives it a range: an event follows
      const missing = !me ? 'its Node object' : !ip ? 'an InternalIP' : 'a pod CIDR';
      if (waitingFor !== missing) log.info(`pod network waits for ${missing}`, { node: o.nodeName });
      waitingFor = missing;
      return;
    }
    waitingFor = '';
    const hostAddresses = await programmer.hostAddresses();
    const plan = planPodNetwork({
      self: { name: o.nodeName, ip, podCidr },
      nodes: nodes.list(),
      hostAddresses,
      ...(o.clusterCidr ? { clusterCidr: o.clusterCidr } : {}),
    });
    const r = await programmer.apply(plan);
    const changes = r.routesSet + r.routesRemoved + r.fdbSet + r.fdbRemoved + r.neighSet + r.neighRemoved;
    if (changes > 0 || r.deviceCreated || r.masqueradeLoaded) {
      log.info('pod network routes applied', {
        direct: plan.direct.length,
        vxlan: plan.vxlan.length,
        set: r.routesSet,
        removed: r.routesRemoved,
        ...(r.deviceCreated ? { tunnel: 'created' } : {}),
      });
    }
    const skippedNow = plan.skipped.map((s) => `${s.node}: ${s.reason}`).join('; ');
    const skippedBefore = (last?.skipped ?? []).map((s) => `${s.node}: ${s.reason}`).join('; ');
    if (skippedNow && skippedNow !== skippedBefore) log.warn('nodes without pod routes', { nodes: skippedNow });
    last = plan;
    stats.applies++;
    stats.direct = plan.direct.length;
    stats.vxlan = plan.vxlan.length;
    stats.skipped = plan.skipped.length;
  }

  const reg = nodes.addHandlers({
    onAdd: changed,
    onDelete: changed,
    onUpdate: (old, obj) => {
      if (relevant(old) !== relevant(obj)) changed();
    },
  });
  informers.start();
  void nodes.whenSynced().then(() => {
    if (stopped) return;
    log.info('pod network cache synced', { node: o.nodeName, clusterCidr: o.clusterCidr ?? 'none' });
    loop.enable();
    resync();
  });

  return {
    synced: () => syncedP,
    stats: () => ({ ...stats }),
    plan: () => last,
    async stop(opts = {}) {
      stopped = true;
      cancelResync?.();
      await loop.stop();
      reg.remove();
      if (own) await own.stop();
      if (opts.cleanup) await programmer.cleanup();
    },
  };
}
