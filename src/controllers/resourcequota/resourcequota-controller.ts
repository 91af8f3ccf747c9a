// The resource quota controller's wiring: it keeps each ResourceQuota's status (hard, used) equal
// to what its namespace holds. Quotas are synced when they change, when an object they count goes
// away or stops counting (replenishment: admission charges creates, nobody else gives usage back),
// and every resync period for what no cache watches (count/<resource> of other kinds).

import type { Pod, ResourceQuota, Service } from '../../api/gen/types.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { resourceQuotaKind } from '../../api/kinds/core/resource-quota.js';
import { kindByResource } from '../../api/kinds/index.js';
import type { AnyObject, KubeObject } from '../../api/object.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { sameLists } from '../../api/quota/resource-list.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { computeQuotaStatus, sameQuotaStatus, type CountedResource } from './quota-usage.js';

const NAME = 'resourcequota';
/** Core resources upstream's replenishment controllers watch (pods and quotas have their own handlers). */
const REPLENISHED = ['services', 'configmaps', 'secrets', 'replicationcontrollers', 'persistentvolumeclaims'];
/** Upstream's --resource-quota-sync-period. */
const DEFAULT_RESYNC_MS = 5 * 60_000;

export interface ResourceQuotaControllerOptions extends ControllerDeps {
  /** Full recalculation of every quota (default 5 minutes). */
  resyncMs?: number;
}

const asList = (l: Record<string, string | number> | undefined) =>
  Object.fromEntries(Object.entries(l ?? {}).map(([k, v]) => [k, String(v)]));
const terminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export function startResourceQuotaController(deps: ResourceQuotaControllerOptions): RunningController {
  const now = deps.now ?? Date.now;
  const queue = createWorkQueue<string>({ name: 'resourcequota_primary' });
  const quotas = deps.informers.for(resourceQuotaKind);
  const pods = deps.informers.for(podKind);
  // the kinds whose deletion gives usage back at once (those this server serves); their caches also answer the usage
  const cached = new Map<string, Informer<AnyObject>>();
  for (const plural of REPLENISHED) {
    const kind = kindByResource('', 'v1', plural);
    if (kind) cached.set(`/${plural}`, deps.informers.for(kind));
  }
  cached.set('/pods', pods as unknown as Informer<AnyObject>);
  cached.set('/resourcequotas', quotas as unknown as Informer<AnyObject>);

  const enqueueNamespace = (obj: KubeObject) => {
    for (const q of quotas.byNamespace(obj.metadata.namespace ?? '')) queue.add(objectKey(q));
  };
  quotas.addHandlers({
    onAdd: (q) => queue.add(objectKey(q)),
    onUpdate: (old, q) => {
      // as upstream, only a change of spec.hard recounts: status writes (admission charging a create,
      // this controller's own) must not, or a cache that has not seen the create yet would undo the charge
      if (!sameLists(asList(old.spec?.hard), asList(q.spec?.hard)) || !sameLists(asList(q.spec?.hard), asList(q.status?.hard)))
        queue.add(objectKey(q));
    },
    onDelete: (q) => enqueueNamespace(q),
  });
  pods.addHandlers({
    onUpdate: (old, cur) => {
      if ((!terminal(old) && terminal(cur)) || (!old.metadata.deletionTimestamp && cur.metadata.deletionTimestamp)) enqueueNamespace(cur);
    },
    onDelete: enqueueNamespace,
  });
  for (const [k, inf] of cached)
    if (k !== '/pods' && k !== '/resourcequotas' && k !== '/services') inf.addHandlers({ onDelete: enqueueNamespace });
  // a Service that stops being a NodePort or LoadBalancer gives its node ports back
  (cached.get('/services') as unknown as Informer<Service> | undefined)?.addHandlers({
    onUpdate: (old, cur) => {
      if ((old.spec?.type ?? 'ClusterIP') !== (cur.spec?.type ?? 'ClusterIP')) enqueueNamespace(cur);
    },
    onDelete: enqueueNamespace,
  });

  const list = async (r: CountedResource, ns: string): Promise<readonly KubeObject[] | undefined> => {
    const inf = cached.get(`${r.group}/${r.plural}`);
    if (inf) return inf.byNamespace(ns);
    const kind = kindByResource(r.group, 'v1', r.plural) ?? kindByResource(r.group, 'v1beta1', r.plural);
    if (!kind || !kind.namespaced) return undefined;
    return (await deps.client.resource(kind).namespace(ns).list()).items;
  };

  const sync = async (key: string) => {
    const q = quotas.get(key);
    if (!q || q.metadata.deletionTimestamp) return;
    const status = await computeQuotaStatus(q as ResourceQuota, list, now());
    if (sameQuotaStatus(q.status, status)) return;
    // a PUT with the cached resourceVersion: a charge admission made meanwhile is a conflict, and the retry recounts
    await deps.client
      .resource(resourceQuotaKind)
      .namespace(q.metadata.namespace ?? '')
      .updateStatus({ ...q, status });
  };

  return runController({
    name: NAME,
    log: deps.log.child(NAME),
    informers: [quotas, ...cached.values()],
    queue,
    workers: deps.workers ?? 5,
    sync,
    periodic: { everyMs: deps.resyncMs ?? DEFAULT_RESYNC_MS, run: () => quotas.list().forEach((q) => queue.add(objectKey(q))) },
  });
}
