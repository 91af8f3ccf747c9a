// The ReplicaSet's pure decisions: which pods it claims (keeps, adopts, releases) and the pod it
// creates from its template. Which surplus pods go first is pod-ranking.ts.

import type { Pod, ReplicaSet } from '../../api/gen/types.js';
import { controllerRefOf, newControllerRef } from '../shared/owner-refs.js';
import { REPLICA_SET_OWNER } from './replica-kind.js';
import { templatePodSpec } from '../shared/pod-template.js';
import { selectorMatcher } from '../shared/selector-cache.js';

export interface ClaimDecision {
  claimed: Pod[];
  adopt: Pod[];
  release: Pod[];
}

/** Which pods belong to `rs`: owned and matching are kept, owned but not matching are released, matching orphans adopted. */
export function claimPods(rs: ReplicaSet, owned: readonly Pod[], orphans: readonly Pod[]): ClaimDecision {
  const sel = selectorMatcher(rs.spec?.selector);
  const deleting = !!rs.metadata.deletionTimestamp;
  const out: ClaimDecision = { claimed: [], adopt: [], release: [] };
  for (const p of owned) {
    if (sel.matches(p.metadata.labels)) out.claimed.push(p);
    else if (!deleting) out.release.push(p);
  }
  if (!deleting) {
    for (const p of orphans) {
      if (!p.metadata.deletionTimestamp && sel.matches(p.metadata.labels) && !controllerRefOf(p)) out.adopt.push(p);
    }
  }
  return out;
}

/** The pod a ReplicaSet (or a ReplicationController read as one, `owner`) creates from its template. */
export function podFromTemplate(rs: ReplicaSet, owner: { ownerApiVersion: string; ownerKind: string } = REPLICA_SET_OWNER): Pod {
  const t = rs.spec?.template;
  const meta = t?.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata.name ?? ''}-`,
      namespace: rs.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ownerReferences: [newControllerRef(rs, owner.ownerApiVersion, owner.ownerKind)],
    },
    spec: templatePodSpec(t),
  };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}
