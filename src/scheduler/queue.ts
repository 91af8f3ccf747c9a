// The scheduling queue: an active heap (higher priority first, then earlier), a backoff area (1 s
// doubling to 10 s per failed attempt) and an unschedulable set that cluster events (node added or
// changed, pod deleted, RuntimeClass changed) move back, and a periodic flush re-tries anyway.
// A pod that failed while a cluster event happened during its attempt goes to backoff instead of
// unschedulable, so that no event is missed. A pod waiting for an external event (a plugin said
// Pending, e.g. its images' platforms are being read) is parked: cluster events leave it alone, the
// plugin's notice (`activate`) brings it straight back to active, the periodic flush as a safety net.

import type { Clock } from '../base/clock.js';
import type { Pod } from '../api/gen/types.js';

export interface QueuedPod {
  readonly key: string;
  pod: Pod;
  /** Attempts so far (incremented at pop). */
  attempts: number;
  /** When the pod was first queued (ms). */
  readonly initialAt: number;
  /** When it was last (re)queued into the active heap: the FIFO tie-breaker. */
  queuedAt: number;
  /** The scheduling cycle in which it was popped. */
  cycle: number;
}

export interface SchedulingQueueOptions {
  clock: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a pod may sit in the unschedulable set before a periodic flush retries it. */
  maxInUnschedulableMs?: number;
  /** How often the unschedulable set is checked. */
  unschedulableFlushIntervalMs?: number;
}

export interface SchedulingQueue {
  /** A new or updated unscheduled pod. Updates to a pod waiting as unschedulable move it back only if its spec or labels changed. */
  addOrUpdate(pod: Pod): void;
  delete(key: string): void;
  /** The next pod, waiting if none is ready; undefined once closed. */
  pop(): Promise<QueuedPod | undefined>;
  /** Non-blocking pop. */
  tryPop(): QueuedPod | undefined;
  /** The attempt ended with the pod bound (or being bound): stop tracking it. */
  done(key: string): void;
  /** A pod that fits nowhere. */
  addUnschedulable(qp: QueuedPod): void;
  /** A pod whose attempt failed for another reason (error, bind failure): retried after its backoff. */
  addBackoff(qp: QueuedPod): void;
  /** A pod waiting for an external event: parked until `activate` names it (or the periodic flush). */
  addParked(qp: QueuedPod): void;
  /**
   * What these pods waited for has happened: parked, unschedulable and backing-off ones go to active
   * at once; one being scheduled right now goes to active when its attempt ends instead of waiting.
   */
  activate(keys: Iterable<string>): void;
  /** A cluster event: unschedulable pods go back to active (or backoff if still backing off). */
  moveAllToActiveOrBackoff(event: string): void;
  backoffMs(attempts: number): number;
  has(key: string): boolean;
  sizes(): { active: number; backoff: number; unschedulable: number; parked: number };
  close(): void;
}

interface HeapEntry {
  qp: QueuedPod;
  priority: number;
  seq: number;
}

const priorityOf = (pod: Pod) => pod.spec?.priority ?? 0;
const relevant = (pod: Pod) => JSON.stringify([pod.spec, pod.metadata.labels, pod.metadata.annotations]);

export function createSchedulingQueue(o: SchedulingQueueOptions): SchedulingQueue {
  const clock = o.clock;
  const initial = o.initialBackoffMs ?? 1000;
  const max = o.maxBackoffMs ?? 10_000;
  const maxUnsched = o.maxInUnschedulableMs ?? 60_000;
  const flushEvery = o.unschedulableFlushIntervalMs ?? 30_000;
  const heap: HeapEntry[] = [];
  const active = new Map<string, HeapEntry>();
  const backoff = new Map<string, { qp: QueuedPod; until: number }>();
  const unsched = new Map<string, { qp: QueuedPod; since: number; fingerprint: string }>();
  const parked = new Map<string, { qp: QueuedPod; since: number; fingerprint: string }>();
  /** In-flight pods activated during their attempt: back to active when it ends. */
  const activateOnReturn = new Set<string>();
  /** Keys popped and not yet handed back (in flight); updates to them are kept for their return. */
  const inFlight = new Map<string, QueuedPod>();
  /** When each pod last failed: its backoff runs from there. */
  const lastFailure = new Map<string, number>();
  let seq = 0;
  let cycle = 0;
  let moveRequestCycle = -1;
  let closed = false;
  let waiters: Array<(qp: QueuedPod | undefined) => void> = [];
  let cancelBackoffTimer: (() => void) | undefined;
  let backoffTimerAt = Number.POSITIVE_INFINITY;
  let cancelFlush: (() => void) | undefined;

  const less = (a: HeapEntry, b: HeapEntry) =>
    a.priority > b.priority ||
    (a.priority === b.priority && (a.qp.queuedAt < b.qp.queuedAt || (a.qp.queuedAt === b.qp.queuedAt && a.seq < b.seq)));
  function up(i: number): void {
    const e = heap[i] as HeapEntry;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = heap[p] as HeapEntry;
      if (!less(e, pe)) break;
      heap[i] = pe;
      i = p;
    }
    heap[i] = e;
  }
  function down(i: number): void {
    const n = heap.length;
    const e = heap[i] as HeapEntry;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && less(heap[c + 1] as HeapEntry, heap[c] as HeapEntry)) c++;
      const ce = heap[c] as HeapEntry;
      if (!less(ce, e)) break;
      heap[i] = ce;
      i = c;
    }
    heap[i] = e;
  }
  function pushActive(qp: QueuedPod): void {
    qp.queuedAt = clock.now();
    const e: HeapEntry = { qp, priority: priorityOf(qp.pod), seq: seq++ };
    active.set(qp.key, e);
    heap.push(e);
    up(heap.length - 1);
    const w = waiters.shift();
    if (w) {
      const next = popNow();
      w(next);
    }
  }
  function popNow(): QueuedPod | undefined {
    while (heap.length) {
      const top = heap[0] as HeapEntry;
      const last = heap.pop() as HeapEntry;
      if (heap.length) {
        heap[0] = last;
        down(0);
      }
      if (active.get(top.qp.key) !== top) continue; // superseded or deleted
      active.delete(top.qp.key);
      top.qp.attempts++;
      top.qp.cycle = ++cycle;
      inFlight.set(top.qp.key, top.qp);
      return top.qp;
    }
    return undefined;
  }
  const backoffMs = (attempts: number) => Math.min(max, initial * 2 ** Math.max(0, Math.min(30, attempts - 1)));

  function armBackoffTimer(): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const b of backoff.values()) if (b.until < earliest) earliest = b.until;
    if (earliest === backoffTimerAt) return;
    cancelBackoffTimer?.();
    cancelBackoffTimer = undefined;
    backoffTimerAt = earliest;
    if (!Number.isFinite(earliest) || closed) return;
    cancelBackoffTimer = clock.schedule(
      () => {
        cancelBackoffTimer = undefined;
        backoffTimerAt = Number.POSITIVE_INFINITY;
        flushBackoff();
      },
      Math.max(0, earliest - clock.now()),
    );
  }
  function flushBackoff(): void {
    const now = clock.now();
    for (const [k, b] of backoff)
      if (b.until <= now) {
        backoff.delete(k);
        pushActive(b.qp);
      }
    armBackoffTimer();
  }
  function armFlush(): void {
    if (cancelFlush || closed || (unsched.size === 0 && parked.size === 0)) return;
    cancelFlush = clock.schedule(() => {
      cancelFlush = undefined;
      const now = clock.now();
      for (const [k, u] of unsched)
        if (now - u.since >= maxUnsched) {
          unsched.delete(k);
          toActiveOrBackoff(u.qp);
        }
      for (const [k, u] of parked)
        if (now - u.since >= maxUnsched) {
          parked.delete(k);
          pushActive(u.qp);
        }
      armBackoffTimer();
      armFlush();
    }, flushEvery);
  }
  function toActiveOrBackoff(qp: QueuedPod): void {
    const failed = lastFailure.get(qp.key);
    const end = failed === undefined ? 0 : failed + backoffMs(qp.attempts);
    if (end > clock.now()) backoff.set(qp.key, { qp, until: end });
    else pushActive(qp);
  }

  return {
    addOrUpdate(pod) {
      if (closed) return;
      const key = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
      const f = inFlight.get(key);
      if (f) {
        f.pod = pod;
        return;
      }
      const a = active.get(key);
      if (a) {
        a.qp.pod = pod;
        return;
      }
      const b = backoff.get(key);
      if (b) {
        b.qp.pod = pod;
        return;
      }
      const u = unsched.get(key);
      if (u) {
        u.qp.pod = pod;
        const fp = relevant(pod);
        if (fp !== u.fingerprint) {
          unsched.delete(key);
          toActiveOrBackoff(u.qp);
          armBackoffTimer();
        }
        return;
      }
      const w = parked.get(key);
      if (w) {
        w.qp.pod = pod;
        if (relevant(pod) !== w.fingerprint) {
          parked.delete(key);
          pushActive(w.qp);
        }
        return;
      }
      const now = clock.now();
      pushActive({ key, pod, attempts: 0, initialAt: now, queuedAt: now, cycle: 0 });
    },
    delete(key) {
      active.delete(key);
      backoff.delete(key);
      unsched.delete(key);
      parked.delete(key);
      inFlight.delete(key);
      lastFailure.delete(key);
      activateOnReturn.delete(key);
    },
    pop() {
      if (closed) return Promise.resolve(undefined);
      const qp = popNow();
      if (qp) return Promise.resolve(qp);
      return new Promise((resolve) => {
        waiters.push(resolve);
      });
    },
    done(key) {
      inFlight.delete(key);
      lastFailure.delete(key);
      activateOnReturn.delete(key);
    },
    tryPop: () => (closed ? undefined : popNow()),
    addUnschedulable(qp) {
      if (closed || inFlight.get(qp.key) !== qp) return; // deleted meanwhile
      inFlight.delete(qp.key);
      lastFailure.set(qp.key, clock.now());
      if (activateOnReturn.delete(qp.key)) pushActive(qp);
      else if (moveRequestCycle >= qp.cycle) {
        backoff.set(qp.key, { qp, until: clock.now() + backoffMs(qp.attempts) });
        armBackoffTimer();
      } else {
        unsched.set(qp.key, { qp, since: clock.now(), fingerprint: relevant(qp.pod) });
        armFlush();
      }
    },
    addBackoff(qp) {
      if (closed || inFlight.get(qp.key) !== qp) return;
      inFlight.delete(qp.key);
      activateOnReturn.delete(qp.key);
      lastFailure.set(qp.key, clock.now());
      backoff.set(qp.key, { qp, until: clock.now() + backoffMs(qp.attempts) });
      armBackoffTimer();
    },
    addParked(qp) {
      if (closed || inFlight.get(qp.key) !== qp) return;
      inFlight.delete(qp.key);
      if (activateOnReturn.delete(qp.key)) {
        pushActive(qp);
        return;
      }
      parked.set(qp.key, { qp, since: clock.now(), fingerprint: relevant(qp.pod) });
      armFlush();
    },
    activate(keys) {
      let fromBackoff = false;
      for (const key of keys) {
        const entry = parked.get(key) ?? unsched.get(key);
        if (entry) {
          parked.delete(key);
          unsched.delete(key);
          pushActive(entry.qp);
          continue;
        }
        const b = backoff.get(key);
        if (b) {
          backoff.delete(key);
          fromBackoff = true;
          pushActive(b.qp);
          continue;
        }
        if (inFlight.has(key)) activateOnReturn.add(key);
      }
      if (fromBackoff) armBackoffTimer();
    },
    moveAllToActiveOrBackoff() {
      moveRequestCycle = cycle;
      if (unsched.size === 0) return;
      const list = [...unsched.values()];
      unsched.clear();
      for (const u of list) toActiveOrBackoff(u.qp);
      armBackoffTimer();
    },
    backoffMs,
    has: (key) => active.has(key) || backoff.has(key) || unsched.has(key) || parked.has(key) || inFlight.has(key),
    sizes: () => ({ active: active.size, backoff: backoff.size, unschedulable: unsched.size, parked: parked.size }),
    close() {
      closed = true;
      cancelBackoffTimer?.();
      cancelFlush?.();
      const ws = waiters;
      waiters = [];
      for (const w of ws) w(undefined);
    },
  };
}
