// A ReplicaSet's status computed from the pods it owns.

import type { Pod, ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from '../../api/gen/types.js';
import { rfc3339 } from '../../base/time.js';
import { isPodAvailable, isPodReady, msUntilAvailable } from '../shared/pod-status.js';
import { jsonEqual } from '../shared/template-hash.js';

const REPLICA_FAILURE = 'ReplicaFailure';

/** What went wrong when the controller last tried to create or delete pods. */
export interface ManageFailure {
  reason: 'FailedCreate' | 'FailedDelete';
  message: string;
}

/**
 * The status for `rs` given its active pods. A failure sets the ReplicaFailure condition, success
 * clears it. `nextCheckMs` tells when a Ready pod will turn available (minReadySeconds).
 */
export function calculateReplicaSetStatus(
  rs: ReplicaSet,
  active: readonly Pod[],
  failure: ManageFailure | undefined,
  now: number,
): { status: ReplicaSetStatus; nextCheckMs?: number } {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const tmplLabels = Object.entries(rs.spec?.template?.metadata?.labels ?? {});
  let fully = 0,
    ready = 0,
    available = 0;
  let next: number | undefined;
  for (const p of active) {
    const labels = p.metadata.labels ?? {};
    if (tmplLabels.every(([k, v]) => labels[k] === v)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
      else {
        const left = msUntilAvailable(p, minReady, now);
        if (left !== undefined && (next === undefined || left < next)) next = left;
      }
    }
  }
  let conditions = (rs.status?.conditions ?? []).filter((c) => c.type !== REPLICA_FAILURE);
  if (failure) {
    const prev = rs.status?.conditions?.find((c) => c.type === REPLICA_FAILURE);
    const cond: ReplicaSetCondition =
      prev && prev.status === 'True' && prev.reason === failure.reason && prev.message === failure.message
        ? prev
        : { type: REPLICA_FAILURE, status: 'True', lastTransitionTime: rfc3339(now), reason: failure.reason, message: failure.message };
    conditions = [...conditions, cond];
  }
  const status: ReplicaSetStatus = {
    replicas: active.length,
    fullyLabeledReplicas: fully,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 0,
  };
  if (conditions.length) status.conditions = conditions;
  return next === undefined ? { status } : { status, nextCheckMs: next };
}

/** True when the stored status already says the same (zero counts and absent fields are the same). */
export function sameReplicaSetStatus(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  const n = (s: ReplicaSetStatus | undefined) => ({
    replicas: s?.replicas ?? 0,
    fullyLabeledReplicas: s?.fullyLabeledReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    observedGeneration: s?.observedGeneration ?? 0,
    conditions: s?.conditions ?? [],
  });
  return jsonEqual(n(a), n(b));
}
