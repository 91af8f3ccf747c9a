// The Endpoints and EndpointSlice controller: for every Service with a selector, an Endpoints object
// of the same name and EndpointSlices labelled with the Service's name and managed-by this
// controller. Pod changes are coalesced per Service through the work queue (a short batch delay, so
// that many pods turning Ready cost a few writes, not one each). Services without a selector are
// left alone (their Endpoints are someone else's); our slices of them are removed.

import type { Endpoints, EndpointSlice, Pod, Service } from '../../api/gen/types.js';
import { LABEL_ENDPOINTSLICE_MANAGED_BY, LABEL_HEADLESS_SERVICE, LABEL_SERVICE_NAME } from '../../api/well-known.js';
import { StatusError } from '../../base/errors.js';
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
export const SERVICES_PATH = '/api/v1/services';
export const ENDPOINTS_PATH = '/api/v1/endpoints';
export const SLICES_PATH = '/apis/discovery.k8s.io/v1/endpointslices';
const PODS_PATH = '/api/v1/pods';

const gone = (e: unknown) => e instanceof StatusError && (e.code === 404 || e.code === 409);
const hasSelector = (s: Service) => Object.keys(s.spec?.selector ?? {}).length > 0;

/** The pod facts endpoints depend on: a pod update that changes none of them is ignored. */
const podFacts = (p: Pod) => JSON.stringify([
  p.metadata.labels ?? {}, p.status?.podIP, p.spec?.nodeName, p.status?.phase, p.metadata.deletionTimestamp,
  p.status?.conditions?.find((c) => c.type === 'Ready')?.status, p.spec?.hostname, p.spec?.subdomain,
]);

export function startEndpointsController(deps: ControllerDeps & EndpointsControllerOptions): RunningController {
  const { client } = deps;
  const batch = deps.batchPeriodMs ?? 50;
  const services = deps.informers.informer<Service>(SERVICES_PATH);
  const pods = deps.informers.informer<Pod>(PODS_PATH);
  const endpoints = deps.informers.informer<Endpoints>(ENDPOINTS_PATH);
  const slices = deps.informers.informer<EndpointSlice>(SLICES_PATH, { labelSelector: `${LABEL_ENDPOINTSLICE_MANAGED_BY}=${MANAGED_BY}` });
  const queue = createWorkQueue<string>();

  // our slices by `namespace/service`
  const slicesBySvc = new Map<string, Set<string>>();
  const sliceSvc = (s: EndpointSlice) => {
    const n = s.metadata.labels?.[LABEL_SERVICE_NAME];
    return n && s.metadata.labels?.[LABEL_ENDPOINTSLICE_MANAGED_BY] === MANAGED_BY ? `${s.metadata.namespace ?? ''}/${n}` : undefined;
  };
  const putSlice = (s: EndpointSlice) => { const k = sliceSvc(s); if (!k) return; let set = slicesBySvc.get(k); if (!set) slicesBySvc.set(k, (set = new Set())); set.add(objectKey(s)); };
  const dropSlice = (s: EndpointSlice) => { const k = sliceSvc(s); const set = k ? slicesBySvc.get(k) : undefined; if (!k || !set) return; set.delete(objectKey(s)); if (set.size === 0) slicesBySvc.delete(k); };
  slices.onAdd(putSlice);
  slices.onUpdate((o, s) => { dropSlice(o); putSlice(s); });
  slices.onDelete((s) => { dropSlice(s); const k = sliceSvc(s); if (k) queue.add(k); });
  const slicesOf = (key: string): EndpointSlice[] => [...(slicesBySvc.get(key) ?? [])].map((k) => slices.get(k)).filter((s): s is EndpointSlice => s !== undefined);

  services.onAdd((s) => queue.add(objectKey(s)));
  services.onUpdate((_o, s) => queue.add(objectKey(s)));
  services.onDelete((s) => queue.add(objectKey(s)));
  endpoints.onDelete((e) => { if (services.get(objectKey(e))) queue.add(objectKey(e)); });

  const servicesFor = (p: Pod): string[] => {
    const out: string[] = [];
    for (const s of services.byNamespace(p.metadata.namespace ?? '')) {
      if (hasSelector(s) && selectorFromSet(s.spec?.selector).matches(p.metadata.labels ?? {})) out.push(objectKey(s));
    }
    return out;
  };
  const touch = (keys: Iterable<string>) => { for (const k of keys) queue.addAfter(k, batch); };
  pods.onAdd((p) => touch(servicesFor(p)));
  pods.onDelete((p) => touch(servicesFor(p)));
  pods.onUpdate((o, p) => {
    if (podFacts(o) === podFacts(p)) return;
    touch(new Set([...servicesFor(o), ...servicesFor(p)]));
  });

  async function syncEndpoints(key: string, svc: Service): Promise<void> {
    const ns = svc.metadata.namespace ?? '';
    const name = svc.metadata.name ?? '';
    const selector = selectorFromSet(svc.spec?.selector);
    const selected = pods.byNamespace(ns).filter((p) => selector.matches(p.metadata.labels ?? {}));
    const subsets = desiredSubsets(svc, selected);
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (svc.spec?.clusterIP === 'None') labels[LABEL_HEADLESS_SERVICE] = '';
    const cur = endpoints.get(key);
    const path = `/api/v1/namespaces/${ns}/endpoints`;
    if (!cur) {
      await client.request('POST', path, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns, labels }, subsets }).catch((e: unknown) => {
        if (!(e instanceof StatusError && e.code === 409)) throw e;
        queue.addAfter(key, 100); // exists already: the cache is behind
      });
    } else if (!jsonEqual(cur.subsets ?? [], subsets) || !jsonEqual(cur.metadata.labels ?? {}, labels)) {
      await client.request('PUT', `${path}/${encodeURIComponent(name)}`, { ...cur, metadata: { ...cur.metadata, labels }, subsets });
    }
    const plan = planSlices(svc, selected, slicesOf(key));
    const spath = `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`;
    for (const s of plan.update) await client.request('PUT', `${spath}/${encodeURIComponent(s.metadata.name ?? '')}`, s);
    for (const s of plan.create) await client.request('POST', spath, s);
    for (const s of plan.delete) await client.request('DELETE', `${spath}/${encodeURIComponent(s.metadata.name ?? '')}`).catch((e: unknown) => { if (!gone(e)) throw e; });
  }

  async function sync(key: string): Promise<void> {
    const svc = services.get(key);
    const [ns, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    if (svc && hasSelector(svc)) { await syncEndpoints(key, svc); return; }
    if (!svc && endpoints.get(key)) {
      await client.request('DELETE', `/api/v1/namespaces/${ns}/endpoints/${encodeURIComponent(name)}`).catch((e: unknown) => { if (!gone(e)) throw e; });
    }
    for (const s of slicesOf(key)) {
      await client.request('DELETE', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices/${encodeURIComponent(s.metadata.name ?? '')}`)
        .catch((e: unknown) => { if (!gone(e)) throw e; });
    }
  }

  return runController({
    name: NAME, log: deps.log.child(NAME), informers: [services, pods, endpoints, slices], queue, workers: deps.workers ?? 2, sync,
  });
}
