// API Priority and Fairness for the request handler: classifies an authenticated request, waits for
// a seat of its priority level (or answers 429), and says in response headers which flow schema and
// level served it. Long-running requests (watch, exec/attach/port-forward, proxy, followed logs) take
// no seat: they would hold it for their whole life.

import type { ServerResponse } from 'node:http';
import { StatusError } from '../../base/errors.js';
import type { UserInfo } from '../auth/user.js';
import type { RequestInfo } from '../http/request-info.js';
import { classify, PRIORITY_LEVELS, seatsOf } from './config.js';
import { LevelQueues, QueueRejection } from './fair-queue.js';
import { seatsFor } from './work-estimate.js';

export interface FlowControlOptions {
  /** the server's concurrency limit, shared among the limited levels (default 200: see docs/operations.md) */
  totalSeats?: number;
  /** the longest a request waits in a queue before it is answered 429 (upstream: a quarter of the 60 s request timeout) */
  waitLimitMs?: number;
  /** override a level's queue length limit (tests) */
  queueLengthLimit?: number;
}

export interface FlowControl {
  /** Waits for a seat; returns the function that frees it. Throws a 429 StatusError when rejected. */
  admit(res: ServerResponse, user: UserInfo, path: string, info: RequestInfo | null, query: URLSearchParams): Promise<() => void>;
  /** per level: seats, executing, waiting (for tests and diagnostics) */
  levels(): Record<string, { seats: number; executing: number; waiting: number }>;
}

const DEFAULT_TOTAL_SEATS = 200;
const DEFAULT_WAIT_LIMIT_MS = 15_000;
const STREAM_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);
const NOTHING = () => undefined;

/** Requests that live as long as the client wants (upstream's long-running check). */
function isLongRunning(info: RequestInfo | null, query: URLSearchParams): boolean {
  if (!info || info.kind !== 'resource') return false;
  if (info.verb === 'watch' || info.verb === 'connect') return true;
  if (info.subresource && STREAM_SUBRESOURCES.has(info.subresource)) return true;
  return info.subresource === 'log' && (query.get('follow') === 'true' || query.get('follow') === '1');
}

/** The Status and header of a rejected request. */
function tooManyRequests(res: ServerResponse, why: string): StatusError {
  if (!res.headersSent) res.setHeader('Retry-After', '1');
  return new StatusError(429, 'TooManyRequests', `Too many requests, please try again later. (${why})`, { retryAfterSeconds: 1 });
}

export function createFlowControl(opts: FlowControlOptions = {}): FlowControl {
  const seats = seatsOf(opts.totalSeats ?? DEFAULT_TOTAL_SEATS);
  const waitLimitMs = opts.waitLimitMs ?? DEFAULT_WAIT_LIMIT_MS;
  const levels = new Map<string, LevelQueues>();
  for (const l of PRIORITY_LEVELS) {
    if (l.exempt) continue;
    levels.set(
      l.name,
      new LevelQueues({
        seats: seats.get(l.name) ?? 1,
        queues: l.queues,
        handSize: l.handSize,
        queueLengthLimit: opts.queueLengthLimit ?? l.queueLengthLimit,
        waitLimitMs,
      }),
    );
  }
  return {
    async admit(res, user, path, info, query) {
      const c = classify({ user, path, info });
      if (!res.headersSent) {
        res.setHeader('X-Kubernetes-PF-FlowSchema-UID', c.schema.uid);
        res.setHeader('X-Kubernetes-PF-PriorityLevel-UID', c.level.uid);
      }
      const queues = levels.get(c.level.name);
      if (!queues || isLongRunning(info, query)) return NOTHING;
      const ticket = queues.enter(c.flow, seatsFor(info, query));
      // a client that leaves while queued gives its place up
      const onClose = () => ticket.done();
      res.once('close', onClose);
      try {
        await ticket.ready;
      } catch (e) {
        if (e instanceof QueueRejection) {
          const why = e.why === 'timeout' ? `timed out waiting in the ${c.level.name} priority level` : `the ${c.level.name} queue is full`;
          throw tooManyRequests(res, why);
        }
        throw e;
      } finally {
        // once running, the seat is held until the handler returns, even when the client went away
        res.off('close', onClose);
      }
      return ticket.done;
    },
    levels() {
      const out: Record<string, { seats: number; executing: number; waiting: number }> = {};
      for (const [name, q] of levels) out[name] = { seats: q.shape.seats, ...q.stats() };
      return out;
    },
  };
}
