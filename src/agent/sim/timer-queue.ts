// One timer for many keyed deadlines: a min-heap with lazy deletion, armed for the earliest entry.
// Setting a key again moves its deadline; the simulation never holds a timer per pod.

import type { Clock } from '../../base/clock.js';

export interface TimerQueue {
  /** Fires `key` at time `at` (replacing an earlier setting of the same key). */
  set(key: string, at: number): void;
  delete(key: string): void;
  size(): number;
  stop(): void;
}

type Entry = [at: number, key: string];

export function createTimerQueue(clock: Clock, onFire: (key: string) => void): TimerQueue {
  const due = new Map<string, number>();
  const heap: Entry[] = [];
  let armedAt = Infinity;
  let cancel: (() => void) | undefined;
  let stopped = false;

  const less = (a: Entry, b: Entry) => a[0] < b[0];
  const push = (e: Entry) => {
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const pop = (): Entry | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1,
          r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  // drop heap entries that no longer match their key's deadline
  const clean = () => {
    while (heap.length > 0 && due.get(heap[0]![1]) !== heap[0]![0]) pop();
  };
  const arm = () => {
    clean();
    const first = heap[0];
    if (stopped || !first) {
      cancel?.();
      cancel = undefined;
      armedAt = Infinity;
      return;
    }
    if (first[0] >= armedAt && cancel) return;
    cancel?.();
    armedAt = first[0];
    cancel = clock.schedule(fire, Math.max(0, first[0] - clock.now()));
  };
  const fire = () => {
    cancel = undefined;
    armedAt = Infinity;
    const now = clock.now();
    const ready: string[] = [];
    for (;;) {
      clean();
      const first = heap[0];
      if (!first || first[0] > now) break;
      pop();
      due.delete(first[1]);
      ready.push(first[1]);
    }
    for (const k of ready) onFire(k);
    arm();
  };
  return {
    set(key, at) {
      if (stopped || due.get(key) === at) return;
      due.set(key, at);
      push([at, key]);
      if (heap.length > 4 * due.size + 64) {
        // compact stale entries
        const live = heap.filter((e) => due.get(e[1]) === e[0]);
        heap.length = 0;
        for (const e of live) push(e);
      }
      arm();
    },
    delete(key) {
      if (due.delete(key)) arm();
    },
    size: () => due.size,
    stop() {
      stopped = true;
      cancel?.();
      cancel = undefined;
      due.clear();
      heap.length = 0;
    },
  };
}
