// Records core/v1 Events about objects, as client-go's event recorder does: repeated events with
// the same object, reason and message are folded into one Event whose count goes up; and, as its
// spam filter does, one recorder writes at most a burst of 25 events about one object, then one per
// 5 minutes (a ReplicaSet scaling to 3,000 would otherwise write 3,000 SuccessfulCreate Events,
// two of every five writes of a scale-up with the scheduler's per-pod Scheduled events).

import { randomBytes } from 'node:crypto';
import type { Event } from '../api/gen/types.js';
import { coreEventKind } from '../api/kinds/core/event.js';
import type { KubeObject } from '../api/object.js';
import { nullLogger, objectRef, type Logger } from '../base/log.js';
import type { RestClient } from './rest-client.js';

type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /** Fire and forget: failures are logged, never thrown. */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
  /** Resolves when the events recorded so far have been written (tests). */
  flush(): Promise<void>;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  at: number;
}

const FOLD_WINDOW_MS = 10 * 60_000;
const MAX_REMEMBERED = 4096;
/** client-go's defaultSpamBurst and defaultSpamQPS (1/300 s), per source and involved object */
const SPAM_BURST = 25;
const SPAM_REFILL_PER_MS = 1 / 300_000;

interface Bucket {
  tokens: number;
  at: number;
}

const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function createEventRecorder(
  client: RestClient,
  component: string,
  opts: { host?: string; log?: Logger; now?: () => number } = {},
): EventRecorder {
  const seen = new Map<string, Seen>();
  const buckets = new Map<string, Bucket>();
  const now = opts.now ?? Date.now;
  const inFlight = new Set<Promise<unknown>>();
  const log = opts.log ?? nullLogger;
  const events = client.resource(coreEventKind);
  const failed = (obj: KubeObject, reason: string) => (e: unknown) =>
    log.warn('event not recorded', { object: objectRef(obj), reason, error: e });

  /** The spam filter: a token bucket per involved object (least recently used forgotten first). */
  function allowed(obj: KubeObject, t: number): boolean {
    const m = obj.metadata;
    const key = `${obj.kind ?? ''}\u0000${m.namespace ?? ''}\u0000${m.name ?? ''}\u0000${m.uid ?? ''}\u0000${obj.apiVersion ?? ''}`;
    const b = buckets.get(key) ?? { tokens: SPAM_BURST, at: t };
    buckets.delete(key);
    b.tokens = Math.min(SPAM_BURST, b.tokens + (t - b.at) * SPAM_REFILL_PER_MS);
    b.at = t;
    buckets.set(key, b);
    if (buckets.size > MAX_REMEMBERED) buckets.delete(buckets.keys().next().value as string);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  function write(obj: KubeObject, type: EventType, reason: string, message: string): Promise<unknown> {
    if (!allowed(obj, now())) {
      log.debug('event dropped by the spam filter', { object: objectRef(obj), reason });
      return Promise.resolve();
    }
    const ns = obj.metadata.namespace || 'default';
    const key = `${obj.metadata.uid ?? ''}\u0000${type}\u0000${reason}\u0000${message}`;
    const t = now();
    const prev = seen.get(key);
    if (prev && t - prev.at < FOLD_WINDOW_MS) {
      prev.count += 1;
      prev.at = t;
      return events
        .namespace(prev.namespace)
        .patch(prev.name, { count: prev.count, lastTimestamp: rfc3339(t) })
        .catch(failed(obj, reason));
    }
    const name = `${obj.metadata.name ?? 'unknown'}.${randomBytes(8).toString('hex')}`;
    if (seen.size >= MAX_REMEMBERED) seen.delete(seen.keys().next().value as string);
    seen.set(key, { name, namespace: ns, count: 1, at: t });
    const ev: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      count: 1,
      source: opts.host ? { component, host: opts.host } : { component },
      firstTimestamp: rfc3339(t),
      lastTimestamp: rfc3339(t),
      reportingComponent: component,
      reportingInstance: opts.host ?? '',
    };
    return events.create(ev).catch(failed(obj, reason));
  }

  return {
    event(obj, type, reason, message) {
      const p = write(obj, type, reason, message);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    },
    async flush() {
      await Promise.all([...inFlight]);
    },
  };
}
