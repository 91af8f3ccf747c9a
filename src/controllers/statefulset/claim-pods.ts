// Which pods a StatefulSet works with (upstream's controller-ref manager with the member filter):
// the pods it controls that still match its selector and are named as its members, plus orphans
// that match and are named so (adopted: a set re-created after `kubectl delete --cascade=orphan`
// takes its pods back), minus owned pods that stopped matching (released).

import type { Pod, StatefulSet } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { adoptPatch, newControllerRef, releasePatch } from '../shared/owner-refs.js';
import { selectorMatcher } from '../shared/selector-cache.js';
import { ordinalOf } from './identity.js';
import type { StatefulSetSyncDeps } from './statefulset-sync-deps.js';

const gone = (e: unknown) => e instanceof StatusError && e.code === 404;

export async function claimPods(w: StatefulSetSyncDeps, set: StatefulSet): Promise<Pod[]> {
  const ns = set.metadata.namespace ?? '';
  const sel = selectorMatcher(set.spec?.selector);
  const belongs = (p: Pod) => sel.matches(p.metadata.labels ?? {}) && ordinalOf(set, p) >= 0;
  const owned = w.podsOf(set);
  const kept = owned.filter(belongs);
  const adopt = w.orphanPodsIn(ns).filter((p) => belongs(p) && !p.metadata.deletionTimestamp);
  if (adopt.length) {
    // adopt only for the object we think we are: a namesake re-created since must not
    const live = await w.api.getStatefulSet(ns, set.metadata.name ?? '');
    if (live && live.metadata.uid === set.metadata.uid && !live.metadata.deletionTimestamp) {
      const ref = newControllerRef(set, 'apps/v1', 'StatefulSet');
      for (const p of adopt) {
        try {
          kept.push(await w.api.patchPod(ns, p.metadata.name ?? '', adoptPatch(p, ref)));
        } catch (e) {
          if (!gone(e)) throw e;
        }
      }
    }
  }
  for (const p of owned.filter((x) => !belongs(x))) {
    try {
      await w.api.patchPod(ns, p.metadata.name ?? '', releasePatch(p, set.metadata.uid ?? ''));
    } catch (e) {
      if (!gone(e)) throw e;
    }
  }
  return kept;
}
