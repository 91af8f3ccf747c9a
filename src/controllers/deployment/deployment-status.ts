// Deployment status and conditions: the counts summed from the ReplicaSets, the Available condition,
// and the Progressing condition with its deadline (complete / progressing / timed out).

import { rfc3339 } from '../../base/time.js';
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from '../../api/gen/types.js';
import { jsonEqual } from '../shared/template-hash.js';
import { actualTotal, availableTotal, hasProgressDeadline, maxUnavailable, readyTotal, replicasOf, specTotal } from './deployment-util.js';

export const PROGRESSING = 'Progressing';
const AVAILABLE = 'Available';
const REPLICA_FAILURE = 'ReplicaFailure';
export const REASONS = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  failedRSCreate: 'ReplicaSetCreateError',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minAvailable: 'MinimumReplicasAvailable',
  minUnavailable: 'MinimumReplicasUnavailable',
} as const;

export function newCondition(
  type: string,
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
  now: number,
): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export const getCondition = (s: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined =>
  s?.conditions?.find((c) => c.type === type);

function removeCondition(s: DeploymentStatus, type: string): void {
  s.conditions = (s.conditions ?? []).filter((c) => c.type !== type);
}

/** Sets a condition; same status and reason: no change; same status: keeps the transition time. */
export function setCondition(s: DeploymentStatus, c: DeploymentCondition): void {
  const cur = getCondition(s, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = { ...c };
  if (cur && cur.status === c.status && cur.lastTransitionTime) next.lastTransitionTime = cur.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), next];
}

/** The counts of the status from the ReplicaSets, plus the Available condition. */
export function calculateStatus(
  all: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
  now: number,
): DeploymentStatus {
  const available = availableTotal(all);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualTotal(all),
    updatedReplicas: actualTotal([newRS]),
    readyReplicas: readyTotal(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specTotal(all) - available),
    conditions: structuredClone(d.status?.conditions ?? []),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(AVAILABLE, 'True', REASONS.minAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition(AVAILABLE, 'False', REASONS.minUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** Every replica is updated and available, and the status describes the current generation. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const n = replicasOf(d);
  return (
    (s.updatedReplicas ?? 0) === n &&
    (s.replicas ?? 0) === n &&
    (s.availableReplicas ?? 0) === n &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** Something moved since the stored status: more updated, fewer old, more ready or more available. */
function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) !== (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** The Progressing condition was last updated longer ago than progressDeadlineSeconds. */
function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, PROGRESSING);
  if (!c) return false;
  if (c.reason === REASONS.newRSAvailable) return false;
  if (c.reason === REASONS.timedOut) return true;
  const from = c.lastUpdateTime ? Date.parse(c.lastUpdateTime) : NaN;
  if (Number.isNaN(from)) return false;
  return from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now;
}

/**
 * The status after a rollout step: counts, Available, and Progressing (complete, progressing or
 * timed out), ReplicaFailure copied from a failing ReplicaSet. `recheckMs` says when to look again
 * for a deadline when nothing else will wake the Deployment.
 */
export function rolloutStatus(
  all: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
  now: number,
): { status: DeploymentStatus; recheckMs?: number } {
  const s = calculateStatus(all, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(s, PROGRESSING);
  const cur = getCondition(s, PROGRESSING);
  const complete = (s.replicas ?? 0) === (s.updatedReplicas ?? 0) && cur?.reason === REASONS.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const rsName = newRS?.metadata.name ?? '';
    if (deploymentComplete(d, s)) {
      const msg = newRS
        ? `ReplicaSet "${rsName}" has successfully progressed.`
        : `Deployment "${d.metadata.name ?? ''}" has successfully progressed.`;
      setCondition(s, newCondition(PROGRESSING, 'True', REASONS.newRSAvailable, msg, now));
    } else if (deploymentProgressing(d, s)) {
      const c = newCondition(PROGRESSING, 'True', REASONS.rsUpdated, `ReplicaSet "${rsName}" is progressing.`, now);
      if (cur?.status === 'True' && cur.lastTransitionTime) c.lastTransitionTime = cur.lastTransitionTime;
      removeCondition(s, PROGRESSING);
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s, now)) {
      setCondition(s, newCondition(PROGRESSING, 'False', REASONS.timedOut, `ReplicaSet "${rsName}" has timed out progressing.`, now));
    }
  }
  const failing = all.find((rs) => rs?.status?.conditions?.some((c) => c.type === REPLICA_FAILURE && c.status === 'True'));
  const rf = failing?.status?.conditions?.find((c) => c.type === REPLICA_FAILURE);
  if (rf)
    setCondition(s, {
      type: REPLICA_FAILURE,
      status: rf.status,
      reason: rf.reason,
      message: rf.message,
      lastUpdateTime: rf.lastTransitionTime,
      lastTransitionTime: rf.lastTransitionTime,
    });
  else removeCondition(s, REPLICA_FAILURE);
  const out: { status: DeploymentStatus; recheckMs?: number } = { status: s };
  const pc = getCondition(s, PROGRESSING);
  if (hasProgressDeadline(d) && pc && !deploymentComplete(d, s) && pc.reason !== REASONS.timedOut && pc.lastUpdateTime) {
    const after = Date.parse(pc.lastUpdateTime) + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - now;
    out.recheckMs = Math.max(0, after) + (after < 1000 ? 100 : 1000);
  }
  return out;
}

/** Equal statuses need no write (absent and zero counts are the same). */
export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const n = (s: DeploymentStatus | undefined) => ({
    observedGeneration: s?.observedGeneration ?? 0,
    replicas: s?.replicas ?? 0,
    updatedReplicas: s?.updatedReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    unavailableReplicas: s?.unavailableReplicas ?? 0,
    conditions: s?.conditions ?? [],
    collisionCount: s?.collisionCount ?? 0,
  });
  return jsonEqual(n(a), n(b));
}
