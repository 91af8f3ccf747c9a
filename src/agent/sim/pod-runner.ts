// Runs the pods bound to simulated nodes through the stage table. Informer events only evaluate
// which stage applies and when; due pods go to a bounded, keyed write pool (one pending write per
// pod) that reads the newest cached object when it starts. Delays share one timer queue.

import type { Pod } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/object-key.js';
import type { RestClient } from '../../client/rest-client.js';
import { createPodIpAllocator } from './cidr.js';
import { createKeyedPool } from './keyed-pool.js';
import type { SimOs } from './node-object.js';
import { buildPodStatus } from './pod-status.js';
import type { SimNode } from './sim-node.js';
import { matchStage, podFacts, stageDelayMs, type Stage } from './stages.js';
import { createTimerQueue } from './timer-queue.js';
import { podsOnNode } from '../../client/pod-indexes.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';

export interface PodRunnerDeps {
  client: RestClient;
  pods: Informer<Pod>;
  clock: Clock;
  table: readonly Stage[];
  os: SimOs;
  nodeOf(name: string): SimNode | undefined;
  concurrency: number;
  log: Logger;
  random?: () => number;
  /** retry delay after a failed write (default 1000 ms) */
  retryMs?: number;
  /** false while a pod's claims are not bound: it does not start until they are (as a kubelet waits to mount) */
  volumesReady?(pod: Pod): boolean;
}

export interface PodRunnerStats {
  statusWrites: number;
  deletes: number;
  conflicts: number;
  errors: number;
  pending: number;
  timers: number;
  queued: number;
  inFlight: number;
  ipsInUse: number;
}

export interface PodRunner {
  /** Starts acting on events, and evaluates every cached pod of the fleet once. */
  enable(): void;
  onEvent(pod: Pod): void;
  onDelete(pod: Pod): void;
  /** Re-evaluates the pods of one node (after its heartbeat resumes). */
  resyncNode(name: string): void;
  stats(): PodRunnerStats;
  stop(): Promise<void>;
}

interface Pending {
  stage: string;
  uid: string;
  due: number;
}

const is = (e: unknown, code: number) => e instanceof StatusError && e.code === code;

/**
 * A running pod whose containers are ready but whose Ready condition is False: what the node
 * lifecycle controller leaves when a node's heartbeat was late (it marks the node's pods not ready).
 * A kubelet's status sync (every 10 s) writes its own Ready=True back once the node is heard from
 * again; without this the pod stays not ready for good, whatever the node does.
 */
const READY_AGAIN: Stage = { name: 'pod-ready-again', anyOf: [], delay: { ms: 10_000 }, next: { action: 'status', to: 'running' } };

function readyLost(pod: Pod): boolean {
  if (pod.status?.phase !== 'Running' || pod.metadata.deletionTimestamp || (pod.spec?.readinessGates ?? []).length > 0) return false;
  const conds = pod.status.conditions ?? [];
  return (
    conds.some((c) => c.type === 'Ready' && c.status === 'False') && conds.some((c) => c.type === 'ContainersReady' && c.status === 'True')
  );
}

export function createPodRunner(d: PodRunnerDeps): PodRunner {
  const { client, pods, clock, table } = d;
  const pending = new Map<string, Pending>();
  /** resourceVersion a write was based on: that version is not evaluated again */
  const writtenFrom = new Map<string, string>();
  const ips = new Map<string, { node: SimNode; ip: string }>();
  const s = { statusWrites: 0, deletes: 0, conflicts: 0, errors: 0 };
  const retryMs = d.retryMs ?? 1000;
  let enabled = false;
  let stopped = false;

  const nodeFor = (pod: Pod) => (pod.spec?.nodeName ? d.nodeOf(pod.spec.nodeName) : undefined);
  const podsIn = (pod: Pod) => client.resource(podKind).namespace(pod.metadata.namespace ?? '');

  const release = (uid: string) => {
    const e = ips.get(uid);
    if (!e) return;
    e.node.ips?.release(e.ip);
    ips.delete(uid);
  };
  const allocatorOf = (node: SimNode) => (node.ips ??= createPodIpAllocator(node.podCIDR));
  /** the pod's address: kept if it has one, else a free one of its node's range */
  const ipFor = (pod: Pod, node: SimNode): string | undefined => {
    if (pod.spec?.hostNetwork) return node.hostIP;
    const uid = pod.metadata.uid ?? '';
    const have = ips.get(uid);
    if (have) return have.ip;
    const cur = pod.status?.podIP;
    if (cur && allocatorOf(node).reserve(cur)) {
      ips.set(uid, { node, ip: cur });
      return cur;
    }
    if (cur) return cur; // outside the range or shared: leave it as it is
    const ip = allocatorOf(node).allocate();
    if (ip) ips.set(uid, { node, ip });
    return ip;
  };

  const stageOf = (pod: Pod, facts: ReturnType<typeof podFacts>): Stage | undefined =>
    matchStage(table, facts) ?? (facts.state === 'running' && readyLost(pod) ? READY_AGAIN : undefined);

  function evaluate(key: string): void {
    if (!enabled || stopped) return;
    const pod = pods.get(key);
    if (!pod) return;
    const node = nodeFor(pod);
    if (!node || node.frozen) return;
    const rv = pod.metadata.resourceVersion ?? '';
    if (writtenFrom.get(key) === rv) return;
    writtenFrom.delete(key);
    const uid = pod.metadata.uid ?? '';
    const facts = podFacts(pod, d.os);
    if (facts.state === 'pending' && !facts.deleting && d.volumesReady && !d.volumesReady(pod)) {
      pending.delete(key);
      timers.delete(key);
      return;
    }
    if (facts.state === 'succeeded' || facts.state === 'failed') release(uid);
    else if (facts.state === 'running' && !pod.spec?.hostNetwork && pod.status?.podIP && !ips.has(uid)) ipFor(pod, node);
    const stage = stageOf(pod, facts);
    if (!stage) {
      pending.delete(key);
      timers.delete(key);
      return;
    }
    let p = pending.get(key);
    if (!p || p.stage !== stage.name || p.uid !== uid) {
      p = { stage: stage.name, uid, due: clock.now() + stageDelayMs(stage, facts.annotations, d.random) };
      pending.set(key, p);
    }
    if (p.due <= clock.now()) {
      timers.delete(key);
      pool.submit(key);
    } else timers.set(key, p.due);
  }

  async function work(key: string): Promise<void> {
    const pod = pods.get(key);
    const p = pending.get(key);
    if (!pod || !p || pod.metadata.uid !== p.uid) {
      pending.delete(key);
      return;
    }
    const node = nodeFor(pod);
    if (!node || node.frozen || stopped) return;
    const stage = stageOf(pod, podFacts(pod, d.os));
    if (!stage || stage.name !== p.stage) {
      pending.delete(key);
      evaluate(key);
      return;
    }
    if (p.due > clock.now()) {
      timers.set(key, p.due);
      return;
    }
    const rv = pod.metadata.resourceVersion ?? '';
    try {
      if (stage.next.action === 'delete') {
        await podsIn(pod).delete(pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: p.uid } });
        s.deletes++;
      } else {
        const next = stage.next;
        let podIP: string | undefined;
        if (next.to === 'running') {
          podIP = ipFor(pod, node);
          if (!podIP) {
            d.log.warn('no free pod IP; retrying', { node: node.name, pod: key });
            timers.set(key, clock.now() + retryMs);
            return;
          }
        }
        const ctx: Parameters<typeof buildPodStatus>[2] = { nowMs: clock.now(), hostIP: node.hostIP };
        if (podIP) ctx.podIP = podIP;
        if (next.exitCode !== undefined) ctx.exitCode = next.exitCode;
        if (next.reason !== undefined) ctx.reason = next.reason;
        const status = buildPodStatus(pod, next.to, ctx);
        await podsIn(pod).updateStatus({ ...pod, status });
        s.statusWrites++;
      }
      if (pending.get(key) === p) pending.delete(key);
      writtenFrom.set(key, rv);
    } catch (e) {
      if (is(e, 404)) {
        pending.delete(key);
        return;
      }
      if (is(e, 409)) {
        // stale cache (a newer version is on its way) or a replaced pod: evaluate again shortly
        s.conflicts++;
        timers.set(key, clock.now() + Math.min(retryMs, 200));
        return;
      }
      s.errors++;
      d.log.error(`${stage.name} failed`, { pod: key, error: e });
      timers.set(key, clock.now() + retryMs);
    }
  }

  const timers = createTimerQueue(clock, evaluate);
  const pool = createKeyedPool(d.concurrency, work, (key, e) => {
    s.errors++;
    d.log.error('pod write failed', { pod: key, error: e });
  });

  const podsOf = (name: string): Pod[] => podsOnNode(pods, name);

  return {
    enable() {
      if (enabled) return;
      enabled = true;
      for (const pod of pods.list()) if (nodeFor(pod)) evaluate(objectKey(pod));
    },
    onEvent(pod) {
      if (enabled && nodeFor(pod)) evaluate(objectKey(pod));
    },
    onDelete(pod) {
      const key = objectKey(pod);
      if (pod.metadata.uid) release(pod.metadata.uid);
      if (pending.get(key)?.uid === pod.metadata.uid) {
        pending.delete(key);
        timers.delete(key);
      }
      writtenFrom.delete(key);
    },
    resyncNode(name) {
      for (const pod of podsOf(name)) {
        const key = objectKey(pod);
        writtenFrom.delete(key);
        evaluate(key);
      }
    },
    stats: () => ({
      ...s,
      pending: pending.size,
      timers: timers.size(),
      queued: pool.queued(),
      inFlight: pool.inFlight(),
      ipsInUse: ips.size,
    }),
    async stop() {
      stopped = true;
      timers.stop();
      await pool.stop();
    },
  };
}
