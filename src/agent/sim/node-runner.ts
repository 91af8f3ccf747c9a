// Registration, Lease heartbeats and node status of the simulated nodes. Heartbeats come from one
// wheel; writes go through one bounded pool keyed by node, so a slow server never piles up work.
// As upstream's kubelet with node leases: the Lease (every 10 s) is the heartbeat; the Node's status
// is written on a change and otherwise once per report interval (nodeStatusReportFrequency, 5 min).
// After a change (registration included) the next report comes after the interval plus a one-time
// random offset in [-1/2, +1/2] of it, as the kubelet does, so a fleet registered at once does not
// rewrite every status in the same second 5 minutes later.

import type { Node } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { createKeyedPool } from './keyed-pool.js';
import { createLeaseWheel } from './lease-wheel.js';
import { buildNodeLease, nodeLeases } from '../node/node-lease.js';
import { buildNode, buildNodeStatus, simNodeLabels, simVolumeRoot, type SimNodeDescription } from './node-object.js';
import type { ResolvedSimOptions } from './options.js';
import type { SimNode } from './sim-node.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { ANNOTATION_SIM_HOLDER, SimNamesTaken, formatHolder, holderFor, liveHolder } from './holder.js';

export interface NodeRunnerStats {
  registered: number;
  leaseWrites: number;
  leaseErrors: number;
  statusWrites: number;
  statusErrors: number;
  heartbeatQueued: number;
  heartbeatInFlight: number;
}

export interface NodeRunner {
  /** Registers every node (retrying failures); resolves when all are registered with a Lease. */
  registerAll(): Promise<void>;
  startHeartbeats(): void;
  stopHeartbeat(node: SimNode, freezePods: boolean): void;
  resumeHeartbeat(node: SimNode): void;
  onNodeEvent(n: Node): void;
  onNodeDelete(n: Node): void;
  stats(): NodeRunnerStats;
  stop(): Promise<void>;
}

const is = (e: unknown, code: number) => e instanceof StatusError && e.code === code;
const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function createNodeRunner(cfg: ResolvedSimOptions, nodes: readonly SimNode[], bootSeed: string): NodeRunner {
  const { client, clock, log } = cfg;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const s = { registered: 0, leaseWrites: 0, leaseErrors: 0, statusWrites: 0, statusErrors: 0 };
  const me = holderFor(bootSeed);
  const holderAnnotation = { [ANNOTATION_SIM_HOLDER]: formatHolder(me) };
  let stopped = false;
  let refused: SimNamesTaken | undefined;

  const describe = (n: SimNode): SimNodeDescription => {
    const d: SimNodeDescription = {
      name: n.name,
      os: cfg.os,
      arch: cfg.arch,
      cpu: cfg.cpu,
      memory: cfg.memory,
      pods: cfg.pods,
      ephemeralStorage: cfg.ephemeralStorage,
      labels: cfg.labels,
      taints: cfg.taints,
      hyperV: cfg.hyperV,
      runtime: cfg.runtime,
      podCIDR: n.podCIDR,
      internalIP: n.hostIP,
      kubeletVersion: cfg.kubeletVersion,
      bootSeed,
    };
    if (cfg.windowsBuild) d.windowsBuild = cfg.windowsBuild;
    if (n.zone !== undefined) d.zone = n.zone;
    return d;
  };
  const nodeApi = client.resource(nodeKind);
  const leases = nodeLeases(client);

  /** After a change the next report gets a one-time offset in [-interval/2, +interval/2]. */
  const nextReport = (now: number, changed: boolean) =>
    now + (changed ? Math.floor(cfg.statusRefreshMs * (0.5 + Math.random())) : cfg.statusRefreshMs);

  async function writeStatus(n: SimNode): Promise<void> {
    const now = clock.now();
    const changed = n.statusChanged;
    n.statusChanged = false;
    try {
      await nodeApi.patchStatus(n.name, { status: buildNodeStatus(describe(n), now, n.readySinceMs) });
    } catch (e) {
      n.statusChanged ||= changed;
      throw e;
    }
    n.lastStatusMs = now;
    n.statusDueMs = nextReport(now, changed);
    s.statusWrites++;
  }

  async function writeLease(n: SimNode): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const body = buildNodeLease(n.name, n.uid, clock.now(), cfg.leaseDurationSeconds, n.leaseRv);
      try {
        const res = n.leaseRv ? await leases.update(body) : await leases.create(body);
        n.leaseRv = res.metadata.resourceVersion;
        s.leaseWrites++;
        return;
      } catch (e) {
        if (attempt >= 2 || !(is(e, 409) || is(e, 404))) throw e;
        if (is(e, 404)) n.leaseRv = undefined;
        else n.leaseRv = (await leases.getOrUndefined(n.name))?.metadata.resourceVersion;
      }
    }
  }

  async function registerOne(n: SimNode): Promise<void> {
    const d = describe(n);
    let node: Node;
    let needStatus = false;
    try {
      const obj = buildNode(d, clock.now(), n.readySinceMs);
      obj.metadata.annotations = { ...obj.metadata.annotations, ...holderAnnotation };
      node = await nodeApi.create(obj);
    } catch (e) {
      if (!is(e, 409)) throw e;
      // the node exists (an earlier run): take it over, unless a running sim holds it (default names only)
      const cur = await nodeApi.get(n.name);
      const held = liveHolder(cur, await leases.getOrUndefined(n.name), me, clock.now());
      if (held && cfg.defaultNamePrefix) throw new SimNamesTaken(n.name, held, cfg.namePrefix);
      if (held) log.warn('taking over a node that a running sim holds', { node: n.name, holder: held });
      const patch: Record<string, unknown> = {
        metadata: { labels: simNodeLabels(d), annotations: { ...holderAnnotation, ...simVolumeRoot(d) } },
      };
      if (!cur.spec?.podCIDR) patch['spec'] = { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] };
      node = await nodeApi.patch(n.name, patch);
      needStatus = true;
    }
    n.uid = node.metadata.uid;
    n.statusChanged = true;
    if (needStatus || !(node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')) await writeStatus(n);
    else {
      // a Ready node of an earlier run: its status stands; the next report as after a change
      n.lastStatusMs = clock.now();
      n.statusDueMs = nextReport(n.lastStatusMs, true);
      n.statusChanged = false;
    }
    n.leaseRv = undefined;
    await writeLease(n);
    n.registered = true;
    s.registered++;
  }

  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      clock.schedule(r, ms);
    });

  async function registerWithRetry(n: SimNode): Promise<void> {
    for (let delay = 250; !stopped; delay = Math.min(delay * 2, 5000)) {
      try {
        await registerOne(n);
        return;
      } catch (e) {
        if (e instanceof SimNamesTaken) throw e;
        log.warn('registering the node failed; retrying', { node: n.name, error: msg(e), retryMs: delay });
        await sleep(delay);
      }
    }
  }

  const pool = createKeyedPool(
    cfg.heartbeatConcurrency,
    async (key) => {
      const n = byName.get(key.slice(2));
      if (!n || !n.registered || !n.heartbeat || stopped) return;
      if (key.startsWith('L:')) await writeLease(n);
      else await writeStatus(n);
    },
    (key, e) => {
      if (key.startsWith('L:')) s.leaseErrors++;
      else s.statusErrors++;
      log.warn(`${key.startsWith('L:') ? 'lease' : 'status'} write failed`, { node: key.slice(2), error: msg(e) });
    },
    (key) => key.startsWith('L:'),
  );

  const wheel = createLeaseWheel({
    clock,
    slots: nodes.length,
    intervalMs: cfg.leaseRenewMs,
    tickMs: cfg.tickMs,
    onDue(i) {
      const n = nodes[i];
      if (!n || !n.registered || !n.heartbeat) return;
      pool.submit(`L:${n.name}`);
      if (clock.now() >= n.statusDueMs) pool.submit(`S:${n.name}`);
    },
  });

  return {
    async registerAll() {
      const queue = [...nodes];
      const worker = async () => {
        for (let n = queue.shift(); n && !stopped && !refused; n = queue.shift()) {
          try {
            await registerWithRetry(n);
          } catch (e) {
            if (!(e instanceof SimNamesTaken)) throw e;
            refused ??= e;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(cfg.registerConcurrency, nodes.length) }, worker));
      if (refused) throw refused;
    },
    startHeartbeats: () => wheel.start(),
    stopHeartbeat(n, freezePods) {
      n.heartbeat = false;
      n.frozen = freezePods;
    },
    resumeHeartbeat(n) {
      if (n.heartbeat && !n.frozen) return;
      n.heartbeat = true;
      n.frozen = false;
      n.readySinceMs = clock.now();
      n.statusChanged = true;
      pool.submit(`S:${n.name}`);
      pool.submit(`L:${n.name}`);
    },
    onNodeEvent(obj) {
      const n = byName.get(obj.metadata.name ?? '');
      if (!n || !n.registered || !n.heartbeat || stopped) return;
      const ready = (obj.status?.conditions ?? []).find((c) => c.type === 'Ready');
      // someone else (node lifecycle) marked the node not ready while we are alive: say so again
      if (ready?.status !== 'True' && clock.now() - n.lastStatusMs > 1000) {
        n.readySinceMs = clock.now();
        n.statusChanged = true;
        pool.submit(`S:${n.name}`);
      }
    },
    onNodeDelete(obj) {
      const n = byName.get(obj.metadata.name ?? '');
      if (!n || !n.registered || obj.metadata.uid !== n.uid) return;
      n.registered = false;
      s.registered--;
      log.info('the node was deleted; its heartbeats stop', { node: n.name });
    },
    stats: () => ({ ...s, heartbeatQueued: pool.queued(), heartbeatInFlight: pool.inFlight() }),
    async stop() {
      stopped = true;
      wheel.stop();
      await pool.stop();
    },
  };
}
