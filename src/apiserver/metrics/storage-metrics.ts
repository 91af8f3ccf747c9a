// The store's side of the API server's metrics under upstream's names: etcd_request_duration_seconds
// (our store plays etcd's part) timed around each kind's backend calls, and apiserver_storage_objects
// counted from the store's index when /metrics is read.

import type { KindDef } from '../../api/kind.js';
import type { Histogram, Registry } from '../../base/metrics.js';
import type { Backend } from '../../storage/backend.js';
import { resourcePrefix } from '../registry/keys.js';
import { REQUEST_LATENCY_BUCKETS } from './request-metrics.js';

export interface StorageMetrics {
  /** The backend as one kind's store sees it, each call timed under that kind's group and resource. */
  timed(backend: Backend, kind: KindDef): Backend;
}

const OPERATIONS = ['get', 'list', 'count', 'create', 'update', 'delete'] as const;
type Operation = (typeof OPERATIONS)[number];

export function createStorageMetrics(registry: Registry, served: () => readonly KindDef[], backend: Backend): StorageMetrics {
  const latency = registry.histogram({
    name: 'etcd_request_duration_seconds',
    help: 'How long calls into the store took, in seconds, by operation and by the group and resource of the objects.',
    labelNames: ['operation', 'group', 'resource'],
    buckets: REQUEST_LATENCY_BUCKETS,
  });
  const objects = registry.gauge({
    name: 'apiserver_storage_objects',
    help: 'Objects in the store when last counted, by resource (resource.group); -1 when the count failed.',
    labelNames: ['resource'],
  });
  registry.beforeEachRender(async () => {
    objects.reset(); // kinds of deleted CustomResourceDefinitions leave
    for (const k of served()) {
      const name = k.group ? `${k.plural}.${k.group}` : k.plural;
      const n = await backend.count(resourcePrefix(k)).catch(() => -1);
      objects.labels(name).set(n);
    }
  });

  return {
    timed(inner, kind) {
      const h = {} as Record<Operation, Histogram>;
      for (const op of OPERATIONS) h[op] = latency.labels(op, kind.group, kind.plural);
      // the calls stay the backend's own (no async wrapper): one timestamp before (arguments are
      // evaluated in order, so before the call), one when settled
      const time = <T>(op: Operation, t0: number, p: Promise<T>): Promise<T> => {
        const done = () => h[op].observe((performance.now() - t0) / 1000);
        p.then(done, done);
        return p;
      };
      return {
        get name() {
          return inner.name;
        },
        currentRevision: () => inner.currentRevision(),
        compactedRevision: () => inner.compactedRevision(),
        get: (key) => time('get', performance.now(), inner.get(key)),
        list: (prefix, opts) => time('list', performance.now(), inner.list(prefix, opts)),
        count: (prefix) => time('count', performance.now(), inner.count(prefix)),
        create: (key, value) => time('create', performance.now(), inner.create(key, value)),
        update: (key, value, rev) => time('update', performance.now(), inner.update(key, value, rev)),
        delete: (key, rev) => time('delete', performance.now(), inner.delete(key, rev)),
        watch: (prefix, after, handlers) => inner.watch(prefix, after, handlers),
        compact: (rev) => inner.compact(rev),
        close: () => inner.close(),
      };
    },
  };
}
