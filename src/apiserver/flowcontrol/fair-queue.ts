// One priority level's seats and queues: a request runs when a seat is free and nobody of the level
// waits; otherwise it joins a queue picked by shuffle sharding (its flow is dealt a hand of queues and
// takes the shortest), and freed seats go round-robin over the non-empty queues. A flow that floods
// can fill only the queues of its hand, and each queue gets its turn, so other flows still move.
// A request may take several seats (a big LIST: see work-estimate.ts); the head of the next queue in
// turn waits until that many are free, as upstream's dispatcher does.

import { createHash } from 'node:crypto';

export type Rejection = 'queue-full' | 'timeout' | 'cancelled';

interface Waiter {
  queue: number;
  width: number;
  grant(): void;
  fail(why: Rejection): void;
  timer: NodeJS.Timeout | undefined;
}

export interface LevelShape {
  seats: number;
  /** 0: no queuing, a request beyond the seats is rejected */
  queues: number;
  handSize: number;
  queueLengthLimit: number;
  /** how long a request may wait in a queue */
  waitLimitMs: number;
}

/** A ticket for one request: resolves when it may run, rejects with the reason it may not. */
export interface Ticket {
  ready: Promise<void>;
  /** gives the seat back (or leaves the queue); idempotent */
  done(): void;
}

/** Deals `handSize` distinct queue indices out of `deck` from a hash of the flow (upstream's shuffle sharding). */
export function dealHand(flow: string, deck: number, handSize: number): number[] {
  // 48 bits of entropy: enough for 6 cards of 128 (about 42 bits)
  let h = createHash('sha256').update(flow).digest().readUIntBE(0, 6);
  const cards = Array.from({ length: deck }, (_, i) => i);
  const hand: number[] = [];
  for (let i = 0; i < Math.min(handSize, deck); i++) {
    const left = deck - i;
    const pick = h % left;
    h = Math.floor(h / left);
    hand.push(cards[pick]!);
    cards[pick] = cards[left - 1]!;
  }
  return hand;
}

export class LevelQueues {
  private inUse = 0;
  private waiting = 0;
  private readonly queues: Waiter[][];
  /** non-empty queues in turn order: the first gets the next free seat, then goes to the back */
  private readonly turns = new Set<number>();
  private readonly hands = new Map<string, number[]>();

  constructor(readonly shape: LevelShape) {
    this.queues = Array.from({ length: shape.queues }, () => []);
  }

  /** Seats taken now, and requests waiting. */
  stats(): { executing: number; waiting: number } {
    return { executing: this.inUse, waiting: this.waiting };
  }

  enter(flow: string, seats = 1): Ticket {
    // a request wider than the level still runs, alone
    const width = Math.min(Math.max(1, seats), this.shape.seats);
    let state: 'waiting' | 'running' | 'done' = 'running';
    const done = () => {
      if (state === 'running') {
        state = 'done';
        this.inUse -= width;
        this.dispatch();
      } else if (state === 'waiting') {
        state = 'done';
        waiter.fail('cancelled');
      }
    };
    if (this.inUse + width <= this.shape.seats && this.waiting === 0) {
      this.inUse += width;
      return { ready: Promise.resolve(), done };
    }
    if (this.shape.queues === 0) {
      state = 'done';
      return { ready: Promise.reject(new QueueRejection('queue-full')), done };
    }
    const q = this.shortestOf(this.handOf(flow));
    if (this.queues[q]!.length >= this.shape.queueLengthLimit) {
      state = 'done';
      return { ready: Promise.reject(new QueueRejection('queue-full')), done };
    }
    let waiter!: Waiter;
    const ready = new Promise<void>((resolve, reject) => {
      waiter = {
        queue: q,
        width,
        timer: undefined,
        grant: () => {
          state = 'running';
          resolve();
        },
        fail: (why) => {
          this.remove(waiter);
          reject(new QueueRejection(why));
        },
      };
    });
    // a cancelled ticket's rejection is nobody's business
    ready.catch(() => undefined);
    waiter.timer = setTimeout(() => {
      if (state !== 'waiting') return;
      state = 'done';
      waiter.fail('timeout');
    }, this.shape.waitLimitMs);
    waiter.timer.unref();
    state = 'waiting';
    this.queues[q]!.push(waiter);
    this.waiting++;
    this.turns.add(q);
    return { ready, done };
  }

  private handOf(flow: string): number[] {
    let hand = this.hands.get(flow);
    if (!hand) {
      if (this.hands.size >= 10_000) this.hands.clear();
      hand = dealHand(flow, this.shape.queues, this.shape.handSize);
      this.hands.set(flow, hand);
    }
    return hand;
  }

  private shortestOf(hand: readonly number[]): number {
    let best = hand[0]!;
    for (const q of hand) if (this.queues[q]!.length < this.queues[best]!.length) best = q;
    return best;
  }

  private remove(w: Waiter): void {
    const list = this.queues[w.queue]!;
    const i = list.indexOf(w);
    if (i < 0) return;
    list.splice(i, 1);
    this.waiting--;
    if (list.length === 0) this.turns.delete(w.queue);
    if (w.timer) clearTimeout(w.timer);
  }

  private dispatch(): void {
    while (this.waiting > 0) {
      const q = this.turns.values().next().value as number;
      const list = this.queues[q]!;
      if (this.inUse + list[0]!.width > this.shape.seats) return;
      const w = list.shift()!;
      this.waiting--;
      this.turns.delete(q);
      if (list.length > 0) this.turns.add(q);
      if (w.timer) clearTimeout(w.timer);
      this.inUse += w.width;
      w.grant();
    }
  }
}

export class QueueRejection extends Error {
  constructor(readonly why: Rejection) {
    super(`request rejected: ${why}`);
    this.name = 'QueueRejection';
  }
}
