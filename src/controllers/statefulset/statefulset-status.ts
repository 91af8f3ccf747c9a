// A StatefulSet's status from its pods and revisions (upstream's counting: created pods, Running
// and Ready, available after minReadySeconds, pods at the current and at the update revision), and
// the end of a rolling update: once every pod runs the update revision and is ready, it becomes
// the current revision.

import type { ControllerRevision, Pod, StatefulSet, StatefulSetStatus } from '../../api/gen/types.js';
import { isPodAvailable, isPodReady, msUntilAvailable } from '../shared/pod-status.js';
import { jsonEqual } from '../shared/template-hash.js';
import { podRevision } from './revisions.js';

/** The API server gives every pod a phase; one without has not been created. */
export const isCreated = (p: Pod): boolean => !!p.status?.phase;
export const isTerminating = (p: Pod): boolean => !!p.metadata.deletionTimestamp;
export const isRunningAndReady = (p: Pod): boolean => p.status?.phase === 'Running' && isPodReady(p);
export const isHealthy = (p: Pod): boolean => isRunningAndReady(p) && !isTerminating(p);

export function computeStatus(
  set: StatefulSet,
  pods: readonly Pod[],
  current: ControllerRevision,
  update: ControllerRevision,
  collisionCount: number,
  now: number,
): { status: StatefulSetStatus; nextCheckMs?: number } {
  const minReady = set.spec?.minReadySeconds ?? 0;
  const st = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  let next: number | undefined;
  for (const p of pods) {
    if (isCreated(p)) st.replicas++;
    if (isRunningAndReady(p)) {
      st.readyReplicas++;
      if (isPodAvailable(p, minReady, now)) st.availableReplicas++;
      else {
        const left = msUntilAvailable(p, minReady, now);
        if (left !== undefined && (next === undefined || left < next)) next = left;
      }
    }
    if (isCreated(p) && !isTerminating(p)) {
      const rev = podRevision(p);
      if (rev === current.metadata.name) st.currentReplicas++;
      if (rev === update.metadata.name) st.updatedReplicas++;
    }
  }
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation ?? 0,
    ...st,
    currentRevision: current.metadata.name ?? '',
    updateRevision: update.metadata.name ?? '',
    collisionCount,
  };
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && st.updatedReplicas === st.replicas && st.readyReplicas === st.replicas) {
    status.currentReplicas = st.updatedReplicas;
    status.currentRevision = status.updateRevision ?? '';
  }
  if (set.status?.conditions?.length) status.conditions = set.status.conditions;
  return next === undefined ? { status } : { status, nextCheckMs: next };
}

/** True when the stored status already says the same (absent counters are zero). */
export function sameStatus(a: StatefulSetStatus | undefined, b: StatefulSetStatus): boolean {
  const n = (s: StatefulSetStatus | undefined) => ({
    observedGeneration: s?.observedGeneration ?? 0,
    replicas: s?.replicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    currentReplicas: s?.currentReplicas ?? 0,
    updatedReplicas: s?.updatedReplicas ?? 0,
    currentRevision: s?.currentRevision ?? '',
    updateRevision: s?.updateRevision ?? '',
    collisionCount: s?.collisionCount ?? 0,
  });
  return jsonEqual(n(a), n(b));
}
