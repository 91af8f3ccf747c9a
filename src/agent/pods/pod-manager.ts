// The pod workers: an informer of the node's pods (fieldSelector spec.nodeName), a work queue keyed
// by pod uid (one sync per pod at a time), a poll of the runtime's containers (the CRI has no event
// stream) that wakes pods whose containers changed, a periodic resync, and adoption at start-up:
// sandboxes of pods that still exist are kept, the others are removed.

import type { Pod } from '../../api/gen/types.js';
import { objectRef } from '../../base/log.js';
import { createWorkQueue, type WorkQueue } from '../../base/work-queue.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { createInformer, type Informer } from '../../client/informer.js';
import { collectionPath } from '../../client/paths.js';
import { POD_UID_LABEL } from './labels.js';
import type { PodContext, PodMemory } from './pod-context.js';
import { syncPod } from './pod-worker.js';

export interface PodManagerOptions {
  workers?: number;
  /** how often the runtime's containers are polled (default 1000 ms) */
  pollMs?: number;
  /** how often every pod is synced anyway (default 10 s) */
  syncPeriodMs?: number;
}

export interface PodManager {
  start(): Promise<void>;
  stop(): Promise<void>;
  informer: Informer<Pod>;
  stats(): { pods: number; syncs: number; errors: number };
  /** Resolves when no pod sync is queued or running (tests). */
  idle(): Promise<void>;
}

export function createPodManager(
  ctx: Omit<PodContext, 'memory' | 'requeue'> & { memories: Map<string, PodMemory> },
  opts: PodManagerOptions = {},
): PodManager & { ctx: PodContext } {
  const pods = new Map<string, Pod>();
  const queue: WorkQueue<string> = createWorkQueue<string>({ clock: ctx.clock });
  let syncs = 0,
    errors = 0,
    active = 0;
  let stopped = false;
  const cancels: Array<() => void> = [];
  const loops: Promise<void>[] = [];
  const full: PodContext = {
    ...ctx,
    memory(uid) {
      let m = ctx.memories.get(uid);
      if (!m) {
        m = { waiting: new Map(), pullFailedAt: new Map() };
        ctx.memories.set(uid, m);
      }
      return m;
    },
    requeue: (uid, ms) => queue.addAfter(uid, ms),
  };
  const informer = createInformer<Pod>(ctx.client, {
    path: collectionPath(podKind),
    fieldSelector: `spec.nodeName=${ctx.nodeName}`,
    log: ctx.log,
  });
  const uidOf = (p: Pod) => p.metadata.uid ?? '';
  informer.onAdd((p) => {
    pods.set(uidOf(p), p);
    queue.add(uidOf(p));
  });
  informer.onUpdate((_o, p) => {
    pods.set(uidOf(p), p);
    queue.add(uidOf(p));
  });
  informer.onDelete((p) => {
    pods.delete(uidOf(p));
    queue.add(uidOf(p));
  });

  async function process(uid: string): Promise<void> {
    active++;
    try {
      syncs++;
      await syncPod(full, uid, pods.get(uid));
      queue.forget(uid);
      if (!pods.has(uid)) ctx.memories.delete(uid);
    } catch (e) {
      errors++;
      const pod = pods.get(uid);
      ctx.log.error('sync failed', {
        pod: pod ? objectRef(pod) : undefined,
        uid,
        error: e instanceof Error ? (e.stack ?? e.message) : String(e),
      });
      queue.addRateLimited(uid);
    } finally {
      active--;
      queue.done(uid);
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      const uid = await queue.get();
      if (uid === undefined) return;
      // a termination waits out the pod's grace period: it runs beside the workers instead of holding
      // one, so that a few slow deletions never stall the start of other pods (the queue still keeps
      // one sync per pod at a time, and a drain waits for it)
      if (pods.get(uid)?.metadata.deletionTimestamp) {
        void process(uid);
        continue;
      }
      await process(uid);
    }
  }

  // container states seen by the last poll, by container id
  let seen = new Map<string, string>();
  async function poll(): Promise<void> {
    try {
      const cs = await ctx.runtime.listContainers();
      const next = new Map<string, string>();
      const wake = new Set<string>();
      for (const c of cs) {
        const uid = c.labels[POD_UID_LABEL];
        if (!uid) continue;
        const sig = `${c.state}/${c.exitCode}`;
        next.set(c.id, `${uid} ${sig}`);
        if (seen.get(c.id) !== `${uid} ${sig}`) wake.add(uid);
      }
      for (const [id, v] of seen) if (!next.has(id)) wake.add(v.split(' ')[0] ?? '');
      seen = next;
      for (const uid of wake) if (uid && (pods.has(uid) || informer.hasSynced())) queue.add(uid);
    } catch (e) {
      ctx.log.warn('container poll failed', { error: e });
    }
  }

  function every(ms: number, fn: () => Promise<void> | void): void {
    const tick = () => {
      if (stopped) return;
      void Promise.resolve(fn()).finally(() => {
        if (!stopped) cancels.push(ctx.clock.schedule(tick, ms));
      });
    };
    cancels.push(ctx.clock.schedule(tick, ms));
  }

  return {
    ctx: full,
    informer,
    async start() {
      informer.start();
      await informer.whenSynced();
      if (stopped) return;
      // adoption: what the runtime holds for pods that are gone is removed; the rest is kept
      const sandboxes = await ctx.runtime.listPodSandboxes();
      for (const s of sandboxes) {
        const uid = s.labels[POD_UID_LABEL];
        if (uid && !pods.has(uid)) queue.add(uid);
      }
      await poll();
      for (let i = 0; i < (opts.workers ?? 4); i++) loops.push(worker());
      every(opts.pollMs ?? 1000, poll);
      every(opts.syncPeriodMs ?? 10_000, () => {
        for (const uid of pods.keys()) queue.add(uid);
      });
    },
    async stop() {
      stopped = true;
      for (const c of cancels.splice(0)) c();
      await informer.stop();
      await queue.shutDownWithDrain();
      await Promise.all(loops);
    },
    stats: () => ({ pods: pods.size, syncs, errors }),
    async idle() {
      for (;;) {
        await new Promise((r) => setImmediate(r));
        if (queue.len() === 0 && active === 0) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}
