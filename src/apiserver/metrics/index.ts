// The API server's Prometheus metrics: its own registry (not the realm's default one, which the
// control loops of the same process record into), the request and store instrumentation, and the
// text /metrics serves.

import type { KindDef } from '../../api/kind.js';
import { Registry } from '../../base/metrics.js';
import { registerProcessMetrics } from '../../base/process-metrics.js';
import type { Backend } from '../../storage/backend.js';
import { createRequestMetrics, type RequestMetrics } from './request-metrics.js';
import { createStorageMetrics, type StorageMetrics } from './storage-metrics.js';

export interface ApiServerMetrics extends RequestMetrics, StorageMetrics {
  readonly registry: Registry;
}

export function createApiServerMetrics(served: () => readonly KindDef[], backend: Backend, registry = new Registry()): ApiServerMetrics {
  const requests = createRequestMetrics(registry);
  const storage = createStorageMetrics(registry, served, backend);
  registerProcessMetrics(registry);
  return { registry, track: requests.track, timed: storage.timed };
}
