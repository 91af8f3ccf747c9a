// The scheduler process: informers feed the queue (unscheduled pods) and the cache (bound pods,
// nodes); a loop pops pods and runs the algorithm synchronously, assumes the pod on the chosen node
// and binds it in the background (up to `maxBindsInFlight` at once) while the next pod is scheduled.
// A pod that fits nowhere gets PodScheduled=False (reason Unschedulable) and a FailedScheduling
// event, and waits in the unschedulable set until the cluster changes.
//
// A pod that a plugin keeps waiting for an external event (Pending: its images' platforms are being
// read from the registry) gets PodScheduled=False with the plugin's reason (`WaitingForImageFacts`)
// and no event, and is parked until the image facts component says what it waited for has settled.
//
// Events: under load, `Scheduled` events, FailedScheduling events and the events plugins record
// after binding (the isolation a Windows pod got) share a token bucket (`scheduledEventsPerSecond`,
// default 50/s, upstream's default client QPS, which also limits upstream's event writes; its event
// broadcaster drops what it cannot send) so that event writes do not halve binding throughput, nor
// double the API's work per pod while a burst of pods finds no node. A FailedScheduling event is
// written at most once per pod and message (with the PodScheduled=False condition it explains).

import type { RestClient } from '../client/rest-client.js';
import type { InformerFactory } from '../client/informer-factory.js';
import type { EventRecorder } from '../client/event-recorder.js';
import { realClock, type Clock } from '../base/clock.js';
import { rfc3339 } from '../base/time.js';
import type { Pod } from '../api/gen/types.js';
import { nodeKind } from '../api/kinds/core/node.js';
import { podKind } from '../api/kinds/core/pod/pod.js';
import { runtimeClassKind } from '../api/kinds/node/runtime-class.js';
import { persistentVolumeKind } from '../api/kinds/core/persistent-volume.js';
import { persistentVolumeClaimKind } from '../api/kinds/core/persistent-volume-claim.js';
import { storageClassKind } from '../api/kinds/storage/storage-class.js';
import { pdbKind } from '../api/kinds/policy/pdb.js';
import type { Logger } from '../base/log.js';
import type { ImageFactsSource } from '../client/registry/image-facts.js';
import { createFramework } from './framework/framework.js';
import { schedulingFingerprint } from './framework/node-info.js';
import { createPodInfo, type PodInfo } from './framework/pod-info.js';
import { createAlgorithm } from './algorithm.js';
import { createSchedulerCache } from './cache.js';
import { createDefaultRegistry, defaultProfile, DEFAULT_SCHEDULER_NAME } from './default-profile.js';
import { createSchedulerMetrics } from './metrics.js';
import { createSchedulingQueue, type QueuedPod } from './queue.js';
import { createPodImageFacts } from './image-facts/pod-image-facts.js';

export interface SchedulerDeps {
  client: RestClient;
  informers: InformerFactory;
  log: Logger;
  recorder?: EventRecorder;
  now?: () => number;
  /** Injected time source for the queue's timers (tests). */
  clock?: Clock;
  percentageOfNodesToScore?: number;
  maxBindsInFlight?: number;
  scheduledEventsPerSecond?: number;
  /**
   * Where the platforms of Windows pods' images come from (registry reads, cached). Without it
   * Windows pods are placed by OS and runtime handler only, as before the isolation autopilot.
   */
  imageFacts?: ImageFactsSource;
}

interface SchedulerStats {
  attempts: number;
  scheduled: number;
  unschedulable: number;
  /** attempts that ended waiting for an external event (image facts) */
  waiting: number;
  errors: number;
  bindErrors: number;
  bindsInFlight: number;
  /** PostBind writes (isolation conditions) not yet done */
  nodes: number;
  cachedPods: number;
  assumedPods: number;
  queue: { active: number; backoff: number; unschedulable: number; parked: number };
}

export interface Scheduler {
  ready(): Promise<void>;
  stop(): Promise<void>;
  stats(): SchedulerStats;
}

const podKey = (p: Pod) => `${p.metadata.namespace ?? 'default'}/${p.metadata.name ?? ''}`;
const terminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const responsible = (p: Pod) =>
  (p.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === DEFAULT_SCHEDULER_NAME &&
  !p.spec?.nodeName &&
  !p.metadata.deletionTimestamp &&
  !terminal(p);
const tick = () => new Promise<void>((r) => setImmediate(r));

export function startScheduler(deps: SchedulerDeps): Scheduler {
  const { client, log } = deps;
  const clock: Clock = deps.clock ?? (deps.now ? { now: deps.now, schedule: realClock.schedule } : realClock);
  const now = deps.now ?? clock.now;
  const podInf = deps.informers.for(podKind);
  const nodeInf = deps.informers.for(nodeKind);
  const rcInf = deps.informers.for(runtimeClassKind);
  const rcLookup = (name: string) => rcInf.get(name);
  const pvcInf = deps.informers.for(persistentVolumeClaimKind);
  const pvInf = deps.informers.for(persistentVolumeKind);
  const scInf = deps.informers.for(storageClassKind);
  // budgets preemption weighs victims against (not waited for: scheduling goes on without them)
  const pdbInf = deps.informers.for(pdbKind);
  const cache = createSchedulerCache();
  const queue = createSchedulingQueue({ clock });
  const metrics = createSchedulerMetrics(DEFAULT_SCHEDULER_NAME, () => queue.sizes());
  const imageFacts = deps.imageFacts ? createPodImageFacts({ source: deps.imageFacts, client, now, log }) : undefined;
  imageFacts?.onSettled((keys) => queue.activate(keys));
  const fw = createFramework(createDefaultRegistry(), defaultProfile(), {
    client,
    runtimeClass: rcLookup,
    ...(imageFacts ? { imageFacts } : {}),
    event: (pod, type, reason, message) => {
      if (deps.recorder && takeEventToken()) deps.recorder.event(pod, type, reason, message);
    },
    now,
    log,
    volumes: {
      claim: (ns, name) => pvcInf.get(`${ns}/${name}`),
      volume: (name) => pvInf.get(name),
      volumes: () => pvInf.list(),
      storageClass: (name) => scInf.get(name),
    },
    podDisruptionBudgets: () => pdbInf.list(),
  });
  const algo = createAlgorithm(fw, { percentageOfNodesToScore: deps.percentageOfNodesToScore });
  const maxBinds = deps.maxBindsInFlight ?? 16;
  const eventRate = deps.scheduledEventsPerSecond ?? 50;
  const st = { attempts: 0, scheduled: 0, unschedulable: 0, waiting: 0, errors: 0, bindErrors: 0 };
  let binds = 0;
  let bindWaiter: (() => void) | undefined;
  const bindsDone = new Set<Promise<void>>();
  let stopped = false;
  let tokens = eventRate;
  let tokensAt = now();

  // ---- informer handlers: only bookkeeping, no I/O
  // pods nominated by preemption keep their room until they are bound or gone
  const trackNomination = (p: Pod) => {
    const node = !p.spec?.nodeName && responsible(p) ? p.status?.nominatedNodeName || undefined : undefined;
    if (node) cache.nominate(createPodInfo(p, rcLookup), node);
    else cache.unnominate(podKey(p));
  };
  podInf.onAdd((p) => {
    trackNomination(p);
    if (p.spec?.nodeName) {
      if (!terminal(p)) cache.addPod(createPodInfo(p, rcLookup), p.spec.nodeName);
    } else if (responsible(p)) queue.addOrUpdate(p);
  });
  podInf.onUpdate((old, p) => {
    const key = podKey(p);
    trackNomination(p);
    if (p.spec?.nodeName) {
      queue.delete(key);
      imageFacts?.forget(key);
      if (terminal(p)) {
        cache.removePod(key);
        queue.moveAllToActiveOrBackoff('AssignedPodTerminated');
      } else cache.addPod(createPodInfo(p, rcLookup), p.spec.nodeName);
      return;
    }
    if (old.spec?.nodeName) cache.removePod(key);
    if (cache.isAssumed(key)) return;
    if (responsible(p)) queue.addOrUpdate(p);
    else {
      queue.delete(key);
      imageFacts?.forget(key);
    }
  });
  podInf.onDelete((p) => {
    const key = podKey(p);
    cache.unnominate(key);
    queue.delete(key);
    imageFacts?.forget(key);
    if (p.spec?.nodeName || cache.isAssumed(key)) {
      cache.removePod(key);
      queue.moveAllToActiveOrBackoff('AssignedPodDelete');
    }
  });
  nodeInf.onAdd((n) => {
    cache.upsertNode(n);
    queue.moveAllToActiveOrBackoff('NodeAdd');
  });
  nodeInf.onUpdate((old, n) => {
    cache.upsertNode(n);
    if (schedulingFingerprint(old) !== schedulingFingerprint(n)) queue.moveAllToActiveOrBackoff('NodeUpdate');
  });
  nodeInf.onDelete((n) => {
    cache.removeNode(n.metadata.name ?? '');
  });
  rcInf.onAdd(() => queue.moveAllToActiveOrBackoff('RuntimeClassAdd'));
  rcInf.onUpdate(() => queue.moveAllToActiveOrBackoff('RuntimeClassUpdate'));
  // a claim created, bound or provisioned, or a volume or class appearing, may let a waiting pod fit
  const storageChanged = () => queue.moveAllToActiveOrBackoff('StorageChange');
  pvcInf.addHandlers({ onAdd: storageChanged, onUpdate: storageChanged });
  pvInf.addHandlers({ onAdd: storageChanged, onUpdate: storageChanged });
  scInf.addHandlers({ onAdd: storageChanged, onUpdate: storageChanged });
  deps.informers.start();
  const synced = Promise.all([
    podInf.whenSynced(),
    nodeInf.whenSynced(),
    rcInf.whenSynced(),
    pvcInf.whenSynced(),
    pvInf.whenSynced(),
    scInf.whenSynced(),
  ]).then(() => undefined);

  function takeEventToken(): boolean {
    const t = now();
    tokens = Math.min(eventRate, tokens + ((t - tokensAt) / 1000) * eventRate);
    tokensAt = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }

  /** PodScheduled=False with `reason` (written only when it changes); a FailedScheduling event unless the pod merely waits. */
  function markNotScheduled(qp: QueuedPod, reason: string, message: string, event: boolean, nominatedNodeName?: string): void {
    const pod = qp.pod;
    const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const same =
      cond?.status === 'False' &&
      cond.reason === reason &&
      cond['message'] === message &&
      (nominatedNodeName === undefined || (pod.status?.nominatedNodeName ?? '') === nominatedNodeName);
    if (!same) {
      const patch = {
        status: {
          // '' clears the nomination (null deletes the field in a strategic merge patch)
          ...(nominatedNodeName !== undefined ? { nominatedNodeName: nominatedNodeName || null } : {}),
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason,
              message,
              lastProbeTime: null,
              lastTransitionTime: rfc3339(now()),
            },
          ],
        },
      };
      client
        .resource(podKind)
        .namespace(pod.metadata.namespace ?? 'default')
        .patchStatus(pod.metadata.name ?? '', patch, 'strategic')
        .catch((e: unknown) => log.warn('status not written', { pod: qp.key, error: e }));
      if (event && deps.recorder && takeEventToken()) deps.recorder.event(pod, 'Warning', 'FailedScheduling', message);
    }
  }

  function bindInBackground(qp: QueuedPod, pi: PodInfo, nodeName: string, state: Parameters<typeof fw.runBind>[0], t0: number): void {
    binds++;
    const p = fw
      .runBind(state, pi, nodeName)
      .then((s) => {
        if (!s) {
          st.scheduled++;
          metrics.attempt('scheduled', t0);
          queue.done(qp.key);
          imageFacts?.forget(qp.key);
          if (deps.recorder && takeEventToken())
            deps.recorder.event(qp.pod, 'Normal', 'Scheduled', `Successfully assigned ${qp.key} to ${nodeName}`);
          fw.runPostBind(state, pi, nodeName);
          return;
        }
        st.bindErrors++;
        metrics.attempt('error', t0);
        log.warn('binding failed', { pod: qp.key, node: nodeName, reasons: s.reasons.join(', ') });
        fw.runUnreserve(state, pi, nodeName);
        cache.forgetPod(qp.key);
        const latest = podInf.get(qp.key);
        if (latest && responsible(latest)) {
          qp.pod = latest;
          queue.addBackoff(qp);
        } else queue.delete(qp.key);
      })
      .catch((e: unknown) => log.error('bind failed', { pod: qp.key, error: e }))
      .finally(() => {
        binds--;
        bindsDone.delete(p);
        const w = bindWaiter;
        bindWaiter = undefined;
        w?.();
      });
    bindsDone.add(p);
  }

  function scheduleOne(qp: QueuedPod): void {
    st.attempts++;
    const current = podInf.get(qp.key);
    if (!current || !responsible(current)) {
      queue.delete(qp.key);
      return;
    }
    qp.pod = current;
    const t0 = performance.now();
    const pi = createPodInfo(current, rcLookup);
    const out = algo.schedule(pi, cache);
    switch (out.kind) {
      case 'scheduled': {
        cache.assumePod(pi, out.nodeName);
        const r = fw.runReserve(out.state, pi, out.nodeName);
        if (r) {
          cache.forgetPod(pi.key);
          st.errors++;
          metrics.attempt('error', t0);
          queue.addBackoff(qp);
          return;
        }
        bindInBackground(qp, pi, out.nodeName, out.state, t0);
        return;
      }
      case 'unschedulable':
        st.unschedulable++;
        metrics.attempt('unschedulable', t0);
        if (out.nominatedNodeName) cache.nominate(pi, out.nominatedNodeName);
        else if (out.nominatedNodeName === '') cache.unnominate(pi.key);
        markNotScheduled(qp, 'Unschedulable', out.message, true, out.nominatedNodeName);
        queue.addUnschedulable(qp);
        return;
      case 'pending':
        st.waiting++;
        metrics.attempt('unschedulable', t0);
        markNotScheduled(qp, out.reason, out.message, false);
        queue.addParked(qp);
        return;
      case 'error':
        st.errors++;
        metrics.attempt('error', t0);
        log.warn('scheduling error', { pod: qp.key, message: out.message });
        queue.addBackoff(qp);
        return;
      default: {
        const never: never = out;
        void never;
      }
    }
  }

  async function run(): Promise<void> {
    await synced;
    let sliceStart = Date.now();
    while (!stopped) {
      if (binds >= maxBinds) {
        await new Promise<void>((r) => {
          bindWaiter = r;
        });
        continue;
      }
      let qp = queue.tryPop();
      if (!qp) {
        qp = await queue.pop();
        sliceStart = Date.now();
      }
      if (!qp || stopped) break;
      try {
        scheduleOne(qp);
      } catch (e) {
        st.errors++;
        log.error('scheduling failed', { pod: qp.key, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
        queue.addBackoff(qp);
      }
      // let I/O (bind answers, watch events) in now and then
      if (Date.now() - sliceStart > 4) {
        await tick();
        sliceStart = Date.now();
      }
    }
  }
  const loop = run().catch((e: unknown) => log.error('loop failed', { error: e }));

  return {
    ready: () => synced,
    async stop() {
      stopped = true;
      metrics.close();
      queue.close();
      imageFacts?.stop();
      bindWaiter?.();
      await loop;
      await Promise.all([...bindsDone]);
    },
    stats: () => ({
      ...st,
      bindsInFlight: binds,
      nodes: cache.nodeCount(),
      cachedPods: cache.podCount(),
      assumedPods: cache.assumedCount(),
      queue: queue.sizes(),
    }),
  };
}
