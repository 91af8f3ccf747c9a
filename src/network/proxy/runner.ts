// The node's service proxy loop: Services and EndpointSlices from shared informers, turned into the
// proxy model (model-build.ts) and handed whole to one backend (nftables in the kernel, or the
// userspace proxy). Changes are batched as kube-proxy's bounded-frequency runner does: nothing is
// applied before both caches have synced (a partial view would drop live Services), then at most
// one apply per `minSyncMs` (a burst of endpoint changes becomes one apply, and a change waits at
// most that long), and a failed apply is retried with exponential back-off and logged.

import type { EndpointSlice, Service } from '../../api/gen/types.js';
import { endpointSliceKind } from '../../api/kinds/discovery/endpoint-slice.js';
import { serviceKind } from '../../api/kinds/core/service.js';
import { createCoalescedApply } from '../../base/coalesced-apply.js';
import { realClock, type Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import { createInformerFactory, type InformerFactory } from '../../client/informer-factory.js';
import type { RestClient } from '../../client/rest-client.js';
import type { ProxyBackend } from './model.js';
import { buildServicePorts } from './model-build.js';

export interface ServiceProxyOptions {
  /** The API client; the proxy makes its own informers from it unless `informers` is given. */
  client?: RestClient;
  /** Shared informers (started here; stopped by their owner). */
  informers?: InformerFactory;
  /** This node's name: endpoints on it are local (traffic policies Local). */
  nodeName: string;
  /** This node's addresses, for the log line (the backend was made with them: see chooseProxyBackend). */
  nodeIPs?: readonly string[];
  backend: ProxyBackend;
  log: Logger;
  /** Least time between two applies (default 250 ms). */
  minSyncMs?: number;
  /** Back-off after a failed apply: first delay and cap (default 1 s, 30 s). */
  retryMs?: { initial: number; max: number };
  clock?: Clock;
}

export interface ServiceProxyStats {
  backend: string;
  /** Successful applies. */
  applies: number;
  failures: number;
  /** Duration of the last successful apply (building the model included), ms. */
  lastApplyMs: number;
  /** Service ports in the last successful apply. */
  ports: number;
}

export interface ServiceProxy {
  /** Resolves after the first successful apply of a complete view. */
  synced(): Promise<void>;
  stats(): ServiceProxyStats;
  /** Stops watching; with `cleanup` the backend removes everything it programmed. */
  stop(opts?: { cleanup?: boolean }): Promise<void>;
}

export function startServiceProxy(o: ServiceProxyOptions): ServiceProxy {
  if (!o.client && !o.informers) throw new Error('startServiceProxy: give client or informers');
  const clock = o.clock ?? realClock;
  const minSyncMs = o.minSyncMs ?? 250;
  const log = o.log;
  const own = o.informers ? undefined : createInformerFactory(o.client!);
  const informers = o.informers ?? own!;
  const services = informers.for(serviceKind);
  const slices = informers.for(endpointSliceKind);
  const stats: ServiceProxyStats = { backend: o.backend.name, applies: 0, failures: 0, lastApplyMs: 0, ports: 0 };
  let stopped = false;
  let markSynced!: () => void;
  const syncedP = new Promise<void>((r) => (markSynced = r));

  const loop = createCoalescedApply({
    clock,
    minIntervalMs: minSyncMs,
    ...(o.retryMs ? { retry: o.retryMs } : {}),
    async apply() {
      const start = clock.now();
      const ports = buildServicePorts(services.list() as Service[], slices.list() as EndpointSlice[], o.nodeName);
      await o.backend.apply(ports);
      stats.applies++;
      stats.lastApplyMs = clock.now() - start;
      stats.ports = ports.length;
    },
    onRetry(e, delay) {
      stats.failures++;
      log.warn('service proxy apply failed; retrying', { backend: o.backend.name, retryMs: Math.round(delay), err: e as Error });
    },
    onApplied: () => markSynced(),
    onRecovered: () => log.info('service proxy rules applied again', { backend: o.backend.name }),
  });
  const changed = () => loop.changed();

  const handlers = { onAdd: changed, onUpdate: changed, onDelete: changed };
  const regs = [services.addHandlers(handlers), slices.addHandlers(handlers)];
  informers.start();
  void Promise.all([services.whenSynced(), slices.whenSynced()]).then(() => {
    if (stopped) return;
    log.info('service proxy caches synced', { backend: o.backend.name, node: o.nodeName, nodeIPs: (o.nodeIPs ?? []).join(',') });
    loop.enable();
  });

  return {
    synced: () => syncedP,
    stats: () => ({ ...stats }),
    async stop(opts = {}) {
      stopped = true;
      await loop.stop();
      for (const r of regs) r.remove();
      if (own) await own.stop();
      if (opts.cleanup) await o.backend.cleanup();
    },
  };
}
