// The Endpoints and EndpointSlice controller: for every Service with a selector, an Endpoints object
// of the same name and EndpointSlices labelled with the Service's name and managed-by this
// controller. Pod changes are coalesced per Service through the work queue (a short batch delay, so
// that many pods turning Ready cost a few writes, not one each). Services without a selector are
// left alone (their Endpoints are someone else's); our slices of them are removed.

import type { EndpointSlice, Pod, Service } from '../../api/gen/types.js';
import { endpointsKind } from '../../api/kinds/core/endpoints.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { serviceKind } from '../../api/kinds/core/service.js';
import { endpointSliceKind } from '../../api/kinds/discovery/endpoint-slice.js';
import { LABEL_ENDPOINTSLICE_MANAGED_BY, LABEL_HEADLESS_SERVICE, LABEL_SERVICE_NAME } from '../../api/well-known.js';
import { StatusError } from '../../base/errors.js';
import type { Indexer } from '../../client/index-store.js';
import { selectorFromSet } from '../../base/label-selector.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { jsonEqual } from '../shared/template-hash.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { desiredSubsets } from './endpoints-decide.js';
import { MANAGED_BY, planSlices } from './slices-decide.js';

export interface EndpointsControllerOptions {
  /** Delay that gathers pod changes of one Service into one sync (default 50 ms; 0: none). */
  batchPeriodMs?: number;
}

const NAME = 'endpoints';

const gone = (e: unknown) => e instanceof StatusError && (e.code === 404 || e.code === 409);
const hasSelector = (s: Service) => Object.keys(s.spec?.selector ?? {}).length > 0;

/** The pod facts endpoints depend on: a pod update that changes none of them is ignored. */
const podFacts = (p: Pod) =>
  JSON.stringify([
    p.metadata.labels ?? {},
    p.status?.podIP,
    p.spec?.nodeName,
    p.status?.phase,
    p.metadata.deletionTimestamp,
    p.status?.conditions?.find((c) => c.type === 'Ready')?.status,
    p.spec?.hostname,
    p.spec?.subdomain,
  ]);

/** The `namespace/service` key of one of our slices, or undefined. */
const sliceService = (s: EndpointSlice): string | undefined => {
  const n = s.metadata.labels?.[LABEL_SERVICE_NAME];
  return n && s.metadata.labels?.[LABEL_ENDPOINTSLICE_MANAGED_BY] === MANAGED_BY ? `${s.metadata.namespace ?? ''}/${n}` : undefined;
};
/** Our slices by `namespace/service`: one function, so that a second caller of the index name shares it. */
const SLICES_BY_SERVICE = 'endpointslices-by-service';
const bySliceService: Indexer<EndpointSlice> = (s) => {
  const k = sliceService(s);
  return k ? [k] : [];
};

export function startEndpointsController(deps: ControllerDeps & EndpointsControllerOptions): RunningController {
  const { client } = deps;
  const batch = deps.batchPeriodMs ?? 50;
  const services = deps.informers.for(serviceKind);
  const pods = deps.informers.for(podKind);
  const endpoints = deps.informers.for(endpointsKind);
  const slices = deps.informers.for(endpointSliceKind, {
    labelSelector: `${LABEL_ENDPOINTSLICE_MANAGED_BY}=${MANAGED_BY}`,
    indexers: { [SLICES_BY_SERVICE]: bySliceService },
  });
  const queue = createWorkQueue<string>({ name: 'endpoint' });
  const slicesOf = (key: string): EndpointSlice[] => slices.byIndex(SLICES_BY_SERVICE, key);

  slices.addHandlers({
    onDelete: (s) => {
      const k = sliceService(s);
      if (k) queue.add(k);
    },
  });
  services.addHandlers({
    onAdd: (s) => queue.add(objectKey(s)),
    onUpdate: (_o, s) => queue.add(objectKey(s)),
    onDelete: (s) => queue.add(objectKey(s)),
  });
  endpoints.addHandlers({
    onDelete: (e) => {
      if (services.get(objectKey(e))) queue.add(objectKey(e));
    },
  });

  const servicesFor = (p: Pod): string[] => {
    const out: string[] = [];
    for (const s of services.byNamespace(p.metadata.namespace ?? '')) {
      if (hasSelector(s) && selectorFromSet(s.spec?.selector).matches(p.metadata.labels ?? {})) out.push(objectKey(s));
    }
    return out;
  };
  const touch = (keys: Iterable<string>) => {
    for (const k of keys) queue.addAfter(k, batch);
  };
  pods.addHandlers({
    onAdd: (p) => touch(servicesFor(p)),
    onUpdate: (o, p) => {
      if (podFacts(o) === podFacts(p)) return;
      touch(new Set([...servicesFor(o), ...servicesFor(p)]));
    },
    onDelete: (p) => touch(servicesFor(p)),
  });

  const endpointsIn = (ns: string) => client.resource(endpointsKind).namespace(ns);
  const slicesIn = (ns: string) => client.resource(endpointSliceKind).namespace(ns);

  async function syncEndpoints(key: string, svc: Service): Promise<void> {
    const ns = svc.metadata.namespace ?? '';
    const name = svc.metadata.name ?? '';
    const selector = selectorFromSet(svc.spec?.selector);
    const selected = pods.byNamespace(ns).filter((p) => selector.matches(p.metadata.labels ?? {}));
    const subsets = desiredSubsets(svc, selected);
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (svc.spec?.clusterIP === 'None') labels[LABEL_HEADLESS_SERVICE] = '';
    const cur = endpoints.get(key);
    if (!cur) {
      await endpointsIn(ns)
        .create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns, labels }, subsets })
        .catch((e: unknown) => {
          if (!(e instanceof StatusError && e.code === 409)) throw e;
          queue.addAfter(key, 100); // exists already: the cache is behind
        });
    } else if (!jsonEqual(cur.subsets ?? [], subsets) || !jsonEqual(cur.metadata.labels ?? {}, labels)) {
      await endpointsIn(ns).update({ ...cur, metadata: { ...cur.metadata, labels }, subsets });
    }
    const plan = planSlices(svc, selected, slicesOf(key));
    for (const s of plan.update) await slicesIn(ns).update(s);
    for (const s of plan.create) await slicesIn(ns).create(s);
    for (const s of plan.delete)
      await slicesIn(ns)
        .delete(s.metadata.name ?? '')
        .catch((e: unknown) => {
          if (!gone(e)) throw e;
        });
  }

  async function sync(key: string): Promise<void> {
    const svc = services.get(key);
    const [ns, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    if (svc && hasSelector(svc)) {
      await syncEndpoints(key, svc);
      return;
    }
    if (!svc && endpoints.get(key)) {
      await endpointsIn(ns)
        .delete(name)
        .catch((e: unknown) => {
          if (!gone(e)) throw e;
        });
    }
    for (const s of slicesOf(key)) {
      await slicesIn(ns)
        .delete(s.metadata.name ?? '')
        .catch((e: unknown) => {
          if (!gone(e)) throw e;
        });
    }
  }

  return runController({
    name: NAME,
    log: deps.log.child(NAME),
    informers: [services, pods, endpoints, slices],
    queue,
    workers: deps.workers ?? 2,
    sync,
  });
}
