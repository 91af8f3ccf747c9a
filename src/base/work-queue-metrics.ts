// The work queue's metrics under client-go's names (workqueue_*), one set of children per queue
// name; a queue without a name records nothing, as upstream's unnamed queues.

import { defaultRegistry, exponentialBuckets, type Counter, type Gauge, type Histogram, type Registry } from './metrics.js';

export interface QueueMetrics {
  depth: Gauge;
  adds: Counter;
  retries: Counter;
  queueSeconds: Histogram;
  workSeconds: Histogram;
}

/** client-go's buckets: 1 µs to 1000 s, by tens */
const BUCKETS = exponentialBuckets(1e-6, 10, 10);

export function queueMetrics(name: string, registry: Registry = defaultRegistry): QueueMetrics {
  const l = ['name'];
  return {
    depth: registry.gauge({ name: 'workqueue_depth', help: 'Items waiting in the work queue now.', labelNames: l }).labels(name),
    adds: registry.counter({ name: 'workqueue_adds_total', help: 'Items the work queue has taken in.', labelNames: l }).labels(name),
    retries: registry
      .counter({ name: 'workqueue_retries_total', help: 'Items put back into the work queue after a failure.', labelNames: l })
      .labels(name),
    queueSeconds: registry
      .histogram({
        name: 'workqueue_queue_duration_seconds',
        help: 'Seconds an item waited in the work queue before a worker took it.',
        labelNames: l,
        buckets: BUCKETS,
      })
      .labels(name),
    workSeconds: registry
      .histogram({
        name: 'workqueue_work_duration_seconds',
        help: 'Seconds a worker spent on an item taken from the work queue.',
        labelNames: l,
        buckets: BUCKETS,
      })
      .labels(name),
  };
}
