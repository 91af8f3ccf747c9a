// Records core/v1 Events about objects, as client-go's event recorder does: repeated events with
// the same object, reason and message are folded into one Event whose count goes up.

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

const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function createEventRecorder(
  client: RestClient,
  component: string,
  opts: { host?: string; log?: Logger; now?: () => number } = {},
): EventRecorder {
  const seen = new Map<string, Seen>();
  const now = opts.now ?? Date.now;
  const inFlight = new Set<Promise<unknown>>();
  const log = opts.log ?? nullLogger;
  const events = client.resource(coreEventKind);
  const failed = (obj: KubeObject, reason: string) => (e: unknown) =>
    log.warn('event not recorded', { object: objectRef(obj), reason, error: e });

  function write(obj: KubeObject, type: EventType, reason: string, message: string): Promise<unknown> {
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
