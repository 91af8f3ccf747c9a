// startSimFleet: a fleet of simulated nodes in this process, kwok-style. Nodes register with the
// API server, renew Leases from one heartbeat wheel, and run the pods bound to them through the
// stage table, all from one shared pod informer.

import { createHash, randomUUID } from 'node:crypto';
import type { Node } from '../../api/gen/types.js';
import { notFound } from '../../base/errors.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { createInformerFactory } from '../../client/informer-factory.js';
import { POD_NODE_INDEXERS } from '../../client/pod-indexes.js';
import { blockCidr, blockCount, blockIndexOf, nodeIpForBlock, parseCidr } from './cidr.js';
import { nodeLeases } from '../node/node-lease.js';
import { SimNamesTaken, foreignHolder, holderFor, liveHolder, markRunning } from './holder.js';
import { createNodeRunner, type NodeRunnerStats } from './node-runner.js';
import { resolveSimOptions, type SimFleetOptions } from './options.js';
import { createPodRunner, type PodRunnerStats } from './pod-runner.js';
import { createSimNode, type SimNode } from './sim-node.js';
import { defaultStages } from './stages.js';
import { startSimVolumes } from './sim-volumes.js';

interface SimFleetStats {
  nodes: number;
  node: NodeRunnerStats;
  pod: PodRunnerStats;
  /** ms from start until every node was registered (undefined until then) */
  registerMs: number | undefined;
}

export interface SimFleet {
  /** Resolves when every node is registered and holds a Lease. */
  ready(): Promise<void>;
  stop(): Promise<void>;
  stats(): SimFleetStats;
  nodeNames(): string[];
  /** Stops a node's lease renewals and status writes (it turns NotReady); freezePods also stops its pods advancing. */
  stopHeartbeat(nodeName: string, opts?: { freezePods?: boolean }): void;
  resumeHeartbeat(nodeName: string): void;
}

const NODES = { group: '', resource: 'nodes' };

/** Chooses a /24 per node: the one an existing node already has, else a free one after a start derived from the prefix. */
function assignBlocks(
  base: string,
  prefix: string,
  names: readonly string[],
  existing: readonly Node[],
): Map<string, { cidr: string; ip: string }> {
  const c = parseCidr(base);
  const total = blockCount(c);
  const used = new Set<number>();
  const byName = new Map(existing.map((n) => [n.metadata.name ?? '', n]));
  for (const n of existing) {
    const b = n.spec?.podCIDR ? blockIndexOf(c, n.spec.podCIDR) : undefined;
    if (b !== undefined) used.add(b);
  }
  const out = new Map<string, { cidr: string; ip: string }>();
  let cursor = parseInt(createHash('sha256').update(prefix).digest('hex').slice(0, 8), 16) % total;
  for (const name of names) {
    const cur = byName.get(name);
    const have = cur?.spec?.podCIDR;
    if (have) {
      const b = blockIndexOf(c, have);
      const ip = cur?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? (b !== undefined ? nodeIpForBlock(b) : undefined);
      if (ip) {
        out.set(name, { cidr: have, ip });
        continue;
      }
    }
    let tries = 0;
    while (used.has(cursor) && tries++ < total) cursor = (cursor + 1) % total;
    if (tries >= total) throw new Error(`pod CIDR range ${base} is full`);
    used.add(cursor);
    out.set(name, { cidr: blockCidr(c, cursor), ip: nodeIpForBlock(cursor) });
  }
  return out;
}

export function startSimFleet(opts: SimFleetOptions): SimFleet {
  const cfg = resolveSimOptions(opts);
  const { clock, log } = cfg;
  const started = clock.now();
  const ownFactory = cfg.informers === undefined;
  const factory = cfg.informers ?? createInformerFactory(cfg.client, { log });
  const podInf = factory.for(podKind, { indexers: POD_NODE_INDEXERS });
  const nodeInf = factory.for(nodeKind);
  const byName = new Map<string, SimNode>();
  const volumes = startSimVolumes({ client: cfg.client, informers: factory, pods: podInf, isOurs: (n) => byName.has(n), log });
  const names = Array.from({ length: cfg.nodes }, (_, i) => `${cfg.namePrefix}${i}`);
  const table = cfg.stages.table ?? defaultStages(cfg.stages);
  const bootSeed = randomUUID();
  let registerMs: number | undefined;
  let stopped = false;
  let nodeRunner: ReturnType<typeof createNodeRunner> | undefined;

  const podRunner = createPodRunner({
    client: cfg.client,
    pods: podInf,
    clock,
    table,
    os: cfg.os,
    nodeOf: (n) => byName.get(n),
    concurrency: cfg.podConcurrency,
    log,
    volumesReady: volumes.ready,
  });
  podInf.onAdd((p) => podRunner.onEvent(p));
  podInf.onUpdate((_o, p) => podRunner.onEvent(p));
  podInf.onDelete((p) => podRunner.onDelete(p));
  nodeInf.onAdd((n) => nodeRunner?.onNodeEvent(n));
  nodeInf.onUpdate((_o, n) => nodeRunner?.onNodeEvent(n));
  nodeInf.onDelete((n) => nodeRunner?.onNodeDelete(n));
  volumes.onBound((p) => podRunner.onEvent(p));
  factory.start();

  /** Refuses default names that a running sim holds, before this fleet writes anything (node-runner checks again, for races). */
  async function checkNamesFree(): Promise<void> {
    if (!cfg.defaultNamePrefix) return;
    const me = holderFor(bootSeed);
    const held = names.map((n) => nodeInf.get(n)).filter((n): n is Node => n !== undefined && foreignHolder(n, me) !== undefined);
    if (held.length === 0) return;
    const leases = new Map((await nodeLeases(cfg.client).list()).items.map((l) => [l.metadata.name ?? '', l]));
    for (const n of held) {
      const name = n.metadata.name ?? '';
      const who = liveHolder(n, leases.get(name), me, clock.now());
      if (who) throw new SimNamesTaken(name, who, cfg.namePrefix);
    }
  }

  markRunning(bootSeed, true);
  const readyP = (async () => {
    await nodeInf.whenSynced();
    if (stopped) return;
    await checkNamesFree();
    const blocks = assignBlocks(cfg.podCidrBase, cfg.namePrefix, names, nodeInf.list());
    const now = clock.now();
    const nodes = names.map((name, i) => {
      const b = blocks.get(name);
      if (!b) throw new Error(`no pod CIDR for ${name}`);
      const n = createSimNode(name, i, cfg.zones > 0 ? `zone-${i % cfg.zones}` : undefined, b.cidr, b.ip, now);
      byName.set(name, n);
      return n;
    });
    nodeRunner = createNodeRunner(cfg, nodes, bootSeed);
    podRunner.enable();
    nodeRunner.startHeartbeats();
    await nodeRunner.registerAll();
    if (!stopped) {
      registerMs = clock.now() - started;
      log.info(`${nodes.length} ${cfg.os} nodes registered in ${registerMs} ms`);
    }
  })();
  // a refusal is the caller's to report (ready() rejects with it); anything else is logged here too
  readyP.catch((e: unknown) => {
    if (!(e instanceof SimNamesTaken)) log.error('start failed', { error: e });
  });

  const nodeOrThrow = (name: string): SimNode => {
    const n = byName.get(name);
    if (!n) throw notFound(NODES, name);
    return n;
  };

  return {
    ready: () => readyP,
    async stop() {
      if (stopped) return;
      stopped = true;
      markRunning(bootSeed, false);
      await Promise.all([nodeRunner?.stop(), podRunner.stop()]);
      if (ownFactory) await factory.stop();
    },
    stats: () => ({
      nodes: cfg.nodes,
      node: nodeRunner?.stats() ?? {
        registered: 0,
        leaseWrites: 0,
        leaseErrors: 0,
        statusWrites: 0,
        statusErrors: 0,
        heartbeatQueued: 0,
        heartbeatInFlight: 0,
      },
      pod: podRunner.stats(),
      registerMs,
    }),
    nodeNames: () => [...names],
    stopHeartbeat(name, o) {
      nodeRunner?.stopHeartbeat(nodeOrThrow(name), o?.freezePods ?? false);
    },
    resumeHeartbeat(name) {
      const n = nodeOrThrow(name);
      nodeRunner?.resumeHeartbeat(n);
      podRunner.resyncNode(name);
    },
  };
}
