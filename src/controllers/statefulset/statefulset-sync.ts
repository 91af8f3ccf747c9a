// One reconcile of one StatefulSet, against an injected world (statefulset-sync-deps.ts) so that
// fakes can drive it. Upstream's order of work: the revisions; then every ordinal of the range in
// ascending order (create what is missing, replace failed pods; with OrderedReady wait at the first
// pod that is not Running, Ready and available); then the pods beyond the range in descending order
// (OrderedReady: one at a time, each once its successors are gone); then the rolling update, from
// the highest ordinal down to the partition, one pod at a time, each once the previous one is
// healthy again. Parallel creates and deletes without waiting (in slow-start batches), but still
// updates one pod at a time. The partition is compared with ordinals, as the API documents it (with
// `ordinals.start` > 0 upstream's update loop compares it with the index in the range instead).

import type { ControllerRevision, Pod, PodTemplateSpec, StatefulSet } from '../../api/gen/types.js';
import { claimPods } from './claim-pods.js';
import { pruneHistory, setRevisions, type SetRevisions } from './history.js';
import { identityMatches, newStatefulPod, ordinalOf, startOrdinal } from './identity.js';
import { podRevision } from './revisions.js';
import { createStatefulPod, deleteStatefulPod, ensureClaims, releaseClaimsWithPod, repairIdentity } from './stateful-pod-control.js';
import { computeStatus, isCreated, isHealthy, isRunningAndReady, isTerminating, sameStatus } from './statefulset-status.js';
import type { StatefulSetSyncDeps } from './statefulset-sync-deps.js';
import { isPodAvailable, msUntilAvailable } from '../shared/pod-status.js';
import { slowStartBatch } from '../shared/slow-start.js';

/** The pod template a revision recorded. */
function revisionTemplate(rev: ControllerRevision): PodTemplateSpec | undefined {
  const spec = rev.data?.['spec'] as { template?: Record<string, unknown> } | undefined;
  if (!spec?.template) return undefined;
  const { $patch: _directive, ...template } = spec.template;
  return template as PodTemplateSpec;
}

/** What one pass over the pods decided: stop here for this round, or go on. */
type Step = 'wait' | 'next';

interface Pass {
  w: StatefulSetSyncDeps;
  set: StatefulSet;
  key: string;
  revs: SetRevisions;
  monotonic: boolean;
  /** Parallel work of this round, run together by settle(). */
  parallel: (() => Promise<void>)[];
}

/** Runs `f` now (OrderedReady) or alongside the rest of the round (Parallel). */
async function act(pass: Pass, f: () => Promise<void>): Promise<void> {
  if (pass.monotonic) await f();
  else pass.parallel.push(f);
}

/** A new pod for `ordinal`: below the partition from the current revision, else from the update revision. */
function podFor(pass: Pass, ordinal: number): Pod {
  const { set, revs } = pass;
  const us = set.spec?.updateStrategy;
  const partition = us?.rollingUpdate?.partition ?? 0;
  const useCurrent = (us?.type ?? 'RollingUpdate') === 'RollingUpdate' && ordinal < partition && revs.current !== revs.update;
  const rev = useCurrent ? revs.current : revs.update;
  const template = useCurrent ? (revisionTemplate(rev) ?? set.spec?.template) : set.spec?.template;
  return newStatefulPod(set, template, rev.metadata.name ?? '', ordinal);
}

async function processReplica(pass: Pass, ordinal: number, pod: Pod | undefined): Promise<Step> {
  const { w, set, monotonic } = pass;
  if (!pod) {
    await act(pass, () => createStatefulPod(w, set, podFor(pass, ordinal)));
    return monotonic ? 'wait' : 'next';
  }
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') {
    // the replacement comes with a later round, once this one is gone
    if (!isTerminating(pod)) await act(pass, () => deleteStatefulPod(w, set, pod));
    return monotonic ? 'wait' : 'next';
  }
  if (phase === 'Pending' && set.spec?.volumeClaimTemplates?.length) await act(pass, () => ensureClaims(w, set, pod));
  if (monotonic) {
    if (isTerminating(pod) || !isRunningAndReady(pod)) return 'wait';
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (!isPodAvailable(pod, minReady, w.now())) {
      const left = msUntilAvailable(pod, minReady, w.now());
      if (left !== undefined) w.requeueAfter(pass.key, left + 50);
      return 'wait';
    }
  }
  if (!isTerminating(pod) && !identityMatches(set, pod)) await act(pass, () => repairIdentity(w, set, pod));
  return 'next';
}

async function processCondemned(pass: Pass, pod: Pod, firstUnhealthy: Pod | undefined): Promise<Step> {
  const { w, set, monotonic } = pass;
  if (isTerminating(pod)) return monotonic ? 'wait' : 'next';
  if (monotonic && pod !== firstUnhealthy) {
    if (!isRunningAndReady(pod) || !isPodAvailable(pod, set.spec?.minReadySeconds ?? 0, w.now())) return 'wait';
  }
  await act(pass, async () => {
    await releaseClaimsWithPod(w, set, pod);
    await deleteStatefulPod(w, set, pod);
  });
  return monotonic ? 'wait' : 'next';
}

/** Pods of the range replaced by the update revision, highest ordinal first, down to the partition. */
async function rollingUpdate(pass: Pass, slots: readonly (Pod | undefined)[], start: number): Promise<void> {
  const { w, set, revs } = pass;
  const us = set.spec?.updateStrategy;
  if ((us?.type ?? 'RollingUpdate') !== 'RollingUpdate') return;
  const partition = us?.rollingUpdate?.partition ?? 0;
  for (let i = slots.length - 1; i >= 0 && start + i >= partition; i--) {
    const pod = slots[i];
    if (!pod) return;
    if (podRevision(pod) !== revs.update.metadata.name && !isTerminating(pod)) {
      await deleteStatefulPod(w, set, pod);
      return;
    }
    if (!isHealthy(pod)) return;
  }
}

async function managePods(pass: Pass, pods: readonly Pod[]): Promise<void> {
  const { set } = pass;
  const start = startOrdinal(set);
  const slots: (Pod | undefined)[] = new Array<Pod | undefined>(set.spec?.replicas ?? 1).fill(undefined);
  const condemned: Pod[] = [];
  for (const p of pods) {
    const i = ordinalOf(set, p) - start;
    if (i >= 0 && i < slots.length) slots[i] = p;
    else condemned.push(p);
  }
  condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
  const firstUnhealthy = [...slots, ...condemned].find((p): p is Pod => !!p && !isHealthy(p));
  for (let i = 0; i < slots.length; i++) {
    if ((await processReplica(pass, start + i, slots[i])) === 'wait') return;
  }
  await settle(pass);
  for (const p of condemned) {
    if ((await processCondemned(pass, p, firstUnhealthy)) === 'wait') return;
  }
  await settle(pass);
  await rollingUpdate(pass, slots, start);
}

/**
 * Runs the round's parallel work in slow-start batches (1, 2, 4, ... calls, as upstream does, so
 * that a failing API stops the burst early); the first failure fails the round (it is retried).
 */
async function settle(pass: Pass): Promise<void> {
  const work = pass.parallel.splice(0);
  if (!work.length) return;
  const res = await slowStartBatch(work.length, (i) => (work[i] as () => Promise<void>)());
  if (res.errors.length) throw res.errors[0];
}

export async function syncStatefulSet(w: StatefulSetSyncDeps, key: string): Promise<void> {
  const set = w.getStatefulSet(key);
  if (!set || set.metadata.deletionTimestamp) return;
  const pods = await claimPods(w, set);
  const revs = await setRevisions(w, set);
  const pass: Pass = { w, set, key, revs, monotonic: set.spec?.podManagementPolicy !== 'Parallel', parallel: [] };
  let failure: unknown;
  try {
    await managePods(pass, pods);
  } catch (e) {
    failure = e;
  }
  const { status, nextCheckMs } = computeStatus(set, pods.filter(isCreated), revs.current, revs.update, revs.collisionCount, w.now());
  if (!sameStatus(set.status, status)) await w.api.updateStatus(set, status);
  if (nextCheckMs !== undefined) w.requeueAfter(key, nextCheckMs + 50);
  await pruneHistory(w, set, pods, revs);
  if (failure) throw failure;
}
