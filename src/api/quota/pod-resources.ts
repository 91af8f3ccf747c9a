// What a pod asks for and is limited to in total, as upstream's resource helper sums it: the
// containers (and sidecar init containers, which run beside them) add up, a plain init container
// only raises the total while it runs alone, and the RuntimeClass overhead comes on top.

import type { Container, Pod } from '../gen/types.js';
import type { Unvalidated } from '../unvalidated.js';
import { addLists, exceeded, type ResourceList } from './resource-list.js';

type Which = 'requests' | 'limits';

const listOf = (c: Unvalidated<Container>, which: Which): ResourceList => {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(c.resources?.[which] ?? {})) out[k] = String(v);
  return out;
};

/** max(a, b) key by key. */
function maxLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) if (a[k] === undefined || exceeded({ [k]: v }, { [k]: a[k] }).length) out[k] = v;
  return out;
}

/** The pod's total requests or limits (with the overhead unless `overhead: false`, as LimitRanger sums them). */
export function podResources(pod: Unvalidated<Pod>, which: Which, opts: { overhead?: boolean } = {}): ResourceList {
  const spec = pod.spec ?? {};
  let total: ResourceList = {};
  for (const c of spec.containers ?? []) total = addLists(total, listOf(c, which));
  let sidecars: ResourceList = {};
  let initMax: ResourceList = {};
  for (const c of spec.initContainers ?? []) {
    const own = listOf(c, which);
    if (c.restartPolicy === 'Always') {
      sidecars = addLists(sidecars, own);
      initMax = maxLists(initMax, sidecars);
    } else initMax = maxLists(initMax, addLists(own, sidecars));
  }
  total = maxLists(addLists(total, sidecars), initMax);
  // limits only count overhead where the pod limits the resource at all
  const overhead = (opts.overhead === false ? {} : (spec.overhead ?? {})) as Record<string, string | number>;
  for (const [k, v] of Object.entries(overhead)) {
    if (which === 'requests' || total[k] !== undefined) total = addLists(total, { [k]: String(v) });
  }
  return total;
}
