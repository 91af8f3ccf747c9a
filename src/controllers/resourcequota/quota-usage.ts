// One quota's status computed from what its namespace holds: status.hard is spec.hard, and
// status.used has an entry (0 when nothing counts) for every hard resource an evaluator tracks,
// summed over the objects that match the quota's scopes. Pure over an injected lister so that the
// controller reads its caches and tests read arrays.

import type { ResourceQuota, ResourceQuotaStatus } from '../../api/gen/types.js';
import type { KubeObject } from '../../api/object.js';
import { evaluatorFor, quotaMatches } from '../../api/quota/evaluators.js';
import { addLists, maskList, sameLists, type ResourceList } from '../../api/quota/resource-list.js';

/** A resource quota can count: group '' is core. */
export interface CountedResource {
  group: string;
  plural: string;
}

/** The resources whose objects a quota constraining `names` has to look at. */
export function resourcesFor(names: readonly string[]): CountedResource[] {
  const out = new Map<string, CountedResource>();
  const add = (group: string, plural: string) => out.set(`${group}/${plural}`, { group, plural });
  for (const n of names) {
    if (n.startsWith('count/')) {
      const rest = n.slice('count/'.length);
      const dot = rest.indexOf('.');
      add(dot < 0 ? '' : rest.slice(dot + 1), dot < 0 ? rest : rest.slice(0, dot));
    }
  }
  for (const plural of [
    'pods',
    'services',
    'persistentvolumeclaims',
    'configmaps',
    'secrets',
    'replicationcontrollers',
    'resourcequotas',
  ]) {
    if (evaluatorFor('', plural).matchingResources(names).length) add('', plural);
  }
  return [...out.values()];
}

/**
 * The status of `q`: `list` answers a namespace's objects of a resource (undefined when the
 * resource is not served, so its names stay out of status.used).
 */
export async function computeQuotaStatus(
  q: ResourceQuota,
  list: (r: CountedResource, namespace: string) => Promise<readonly KubeObject[] | undefined>,
  now: number,
): Promise<ResourceQuotaStatus> {
  const hard: ResourceList = Object.fromEntries(Object.entries(q.spec?.hard ?? {}).map(([k, v]) => [k, String(v)]));
  const names = Object.keys(hard);
  let used: ResourceList = {};
  for (const r of resourcesFor(names)) {
    const objects = await list(r, q.metadata.namespace ?? '');
    if (!objects) continue;
    const ev = evaluatorFor(r.group, r.plural);
    const matched = ev.matchingResources(names);
    for (const n of matched) used[n] ??= '0';
    for (const obj of objects) {
      if (quotaMatches(q, ev, names, obj)) used = addLists(used, maskList(ev.usage(obj, now), matched));
    }
  }
  return { hard, used };
}

/** True when the stored status already says the same (quantities compared by value). */
export function sameQuotaStatus(a: ResourceQuotaStatus | undefined, b: ResourceQuotaStatus): boolean {
  const list = (l: Record<string, string | number> | undefined) =>
    Object.fromEntries(Object.entries(l ?? {}).map(([k, v]) => [k, String(v)]));
  return sameLists(list(a?.hard), list(b.hard)) && sameLists(list(a?.used), list(b.used));
}
