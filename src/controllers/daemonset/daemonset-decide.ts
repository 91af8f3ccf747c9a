// The DaemonSet reconcile decision: for every node, whether a daemon pod must be created, which
// pods must go (misplaced, duplicate, failed, or replaced by a rolling update within
// maxUnavailable), and the status counters.

import type { DaemonSet, DaemonSetStatus, Node, Pod } from '../../api/gen/types.js';
import { requiredNodeAffinity } from '../../api/scheduling/node-affinity.js';
import { LABEL_CONTROLLER_REVISION_HASH } from '../../api/well-known.js';
import { getScaledValueFromIntOrPercent } from '../../base/int-or-string.js';
import { isPodAvailable, isPodReady, msUntilAvailable } from '../shared/pod-status.js';
import { computeHash } from '../shared/template-hash.js';
import { daemonEligibility, daemonPodNode } from './node-eligibility.js';

/** The status counters this controller computes (every one of them is written, zero included). */
export type DaemonSetStatusCounts = Required<
  Pick<
    DaemonSetStatus,
    | 'desiredNumberScheduled'
    | 'currentNumberScheduled'
    | 'numberMisscheduled'
    | 'numberReady'
    | 'numberAvailable'
    | 'updatedNumberScheduled'
    | 'numberUnavailable'
  >
> &
  Pick<DaemonSetStatus, 'observedGeneration'>;

export interface DaemonPlan {
  /** Nodes that need a daemon pod. */
  create: string[];
  delete: Pod[];
  status: DaemonSetStatusCounts;
  /** Look again after this many ms (a pod becomes available), if set. */
  recheckMs?: number;
}

/** The revision hash of a DaemonSet's template (stands in for its ControllerRevision). */
export function templateHash(ds: DaemonSet): string {
  return computeHash(ds.spec?.template ?? {});
}

const created = (p: Pod) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
const byAge = (a: Pod, b: Pod) => created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

export function planDaemonSet(ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], now: number): DaemonPlan {
  const spec = ds.spec;
  const podSpec = spec?.template.spec;
  const affinity = requiredNodeAffinity(podSpec);
  const minReady = spec?.minReadySeconds ?? 0;
  const hash = templateHash(ds);
  const byNode = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = daemonPodNode(p.spec);
    if (!n) continue;
    const list = byNode.get(n);
    if (list) list.push(p);
    else byNode.set(n, [p]);
  }
  const plan: DaemonPlan = {
    create: [],
    delete: [],
    status: {
      desiredNumberScheduled: 0,
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      numberReady: 0,
      numberAvailable: 0,
      updatedNumberScheduled: 0,
      numberUnavailable: 0,
    },
  };
  if (ds.metadata.generation !== undefined) plan.status.observedGeneration = ds.metadata.generation;
  const st = plan.status;
  const later = (ms: number | undefined) => {
    if (ms !== undefined) plan.recheckMs = plan.recheckMs === undefined ? ms : Math.min(plan.recheckMs, ms);
  };
  /** running pods of nodes that should run one: rolling-update candidates */
  const kept: Pod[] = [];
  const nodeNames = new Set<string>();
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    nodeNames.add(name);
    const { shouldRun, shouldContinueRunning } = daemonEligibility(podSpec, node, affinity);
    const all = (byNode.get(name) ?? []).slice().sort(byAge);
    const terminating = all.filter((p) => p.metadata.deletionTimestamp);
    const live = all.filter((p) => !p.metadata.deletionTimestamp);
    const failed = live.filter((p) => p.status?.phase === 'Failed');
    const running = live.filter((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
    plan.delete.push(...failed);
    if (shouldRun) {
      st.desiredNumberScheduled++;
      if (running.length > 0) st.currentNumberScheduled++;
      // a node never gets a second pod while one is still terminating (maxSurge 0)
      if (running.length === 0 && terminating.length === 0) plan.create.push(name);
      const keep = running.find((p) => p.metadata.labels?.[LABEL_CONTROLLER_REVISION_HASH] === hash) ?? running[0];
      for (const p of running) if (p !== keep) plan.delete.push(p);
      if (keep) {
        kept.push(keep);
        if (isPodReady(keep)) st.numberReady++;
        if (isPodAvailable(keep, minReady, now)) st.numberAvailable++;
        else later(msUntilAvailable(keep, minReady, now));
        if (keep.metadata.labels?.[LABEL_CONTROLLER_REVISION_HASH] === hash) st.updatedNumberScheduled++;
      }
    } else {
      if (running.length > 0) st.numberMisscheduled++;
      if (!shouldContinueRunning) plan.delete.push(...running);
    }
  }
  // pods for nodes that no longer exist
  for (const [n, list] of byNode) if (!nodeNames.has(n)) plan.delete.push(...list.filter((p) => !p.metadata.deletionTimestamp));
  st.numberUnavailable = st.desiredNumberScheduled - st.numberAvailable;

  if ((spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
    const maxUnavailable = Math.max(
      0,
      getScaledValueFromIntOrPercent(spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, st.desiredNumberScheduled, true),
    );
    let unavailable = st.numberUnavailable;
    const old = kept.filter((p) => p.metadata.labels?.[LABEL_CONTROLLER_REVISION_HASH] !== hash);
    // old pods that are not available anyway go first: replacing them costs nothing
    for (const p of old) if (!isPodAvailable(p, minReady, now)) plan.delete.push(p);
    for (const p of old.filter((q) => isPodAvailable(q, minReady, now))) {
      if (unavailable >= maxUnavailable) break;
      plan.delete.push(p);
      unavailable++;
    }
  }
  return plan;
}

/** The status the DaemonSet should have; undefined when it already has it. */
export function statusChange(ds: DaemonSet, counts: DaemonSetStatusCounts): DaemonSetStatus | undefined {
  const cur = ds.status;
  const changed = (Object.keys(counts) as Array<keyof DaemonSetStatusCounts>).some((k) => (cur?.[k] ?? 0) !== (counts[k] ?? 0));
  return changed ? { ...cur, ...counts } : undefined;
}
