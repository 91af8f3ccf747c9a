// The arithmetic of upstream's DefaultPreemption, without I/O: on one node, which lower-priority
// pods must go for the preemptor to fit (all of them removed, then as many as possible put back,
// the most important first, those whose eviction would break a PodDisruptionBudget before the
// others), and among the nodes where preemption helps, which one to pick (fewest budget violations,
// then the lowest highest-victim priority, the lowest priority sum, the fewest victims, the latest
// start of the highest-priority victims).

import type { PodDisruptionBudget } from '../../../api/gen/types.js';
import { fromLabelSelector } from '../../../api/label-selector.js';
import { addPod, cloneNodeInfo, removePod, type NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { Result } from '../../framework/status.js';

export interface Victims {
  pods: PodInfo[];
  /** victims whose eviction goes over a PodDisruptionBudget */
  numPdbViolations: number;
}

export interface Candidate {
  node: string;
  victims: Victims;
}

const startTime = (pi: PodInfo): number => {
  const t = Date.parse(pi.pod.status?.startTime ?? '');
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
};

/** Upstream's MoreImportantPod: higher priority first, then the one that started earlier. */
function moreImportant(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return startTime(a) - startTime(b);
}

/**
 * Splits `pods` (most important first) into those whose eviction would go over one of the budgets
 * and the others, spending each budget's disruptionsAllowed as it goes. A pod already listed in a
 * budget's disruptedPods was counted by the budget already.
 */
export function splitByPdbViolation(pods: readonly PodInfo[], pdbs: readonly PodDisruptionBudget[]): [PodInfo[], PodInfo[]] {
  const allowed = pdbs.map((b) => b.status?.disruptionsAllowed ?? 0);
  const matchers = pdbs.map((b) => {
    const sel = b.spec?.selector;
    const empty = !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
    if (empty) return undefined;
    try {
      return fromLabelSelector(sel);
    } catch {
      return undefined;
    }
  });
  const violating: PodInfo[] = [];
  const fine: PodInfo[] = [];
  for (const pi of pods) {
    let violates = false;
    pdbs.forEach((b, i) => {
      const m = matchers[i];
      if (!m || b.metadata.namespace !== pi.namespace || !m.matches(pi.labels)) return;
      if (b.status?.disruptedPods?.[pi.name] !== undefined) return;
      allowed[i] = (allowed[i] ?? 0) - 1;
      if ((allowed[i] ?? 0) < 0) violates = true;
    });
    (violates ? violating : fine).push(pi);
  }
  return [violating, fine];
}

export const NO_VICTIMS = 'No preemption victims found for incoming pod';

/**
 * The victims on `ni` for `pod`, or the reasons it fails there: no lower-priority pods at all
 * (NO_VICTIMS), or the Filter plugins' reasons when even removing them all does not make it fit.
 * `filter` runs the Filter plugins against a node (undefined: it fits).
 */
export function selectVictimsOnNode(
  pod: PodInfo,
  ni: NodeInfo,
  filter: (node: NodeInfo) => Result,
  pdbs: readonly PodDisruptionBudget[],
): Victims | { reasons: readonly string[] } {
  const lower: PodInfo[] = [];
  for (const pi of ni.pods.values()) if (pi.priority < pod.priority) lower.push(pi);
  // most pods fail with nothing lower around them: no copy of the node for those
  if (lower.length === 0) return { reasons: [NO_VICTIMS] };
  const copy = cloneNodeInfo(ni);
  for (const pi of lower) removePod(copy, pi.key);
  const without = filter(copy);
  if (without) return { reasons: without.reasons };
  const fits = (n: NodeInfo) => filter(n) === undefined;
  lower.sort(moreImportant);
  const [violating, fine] = splitByPdbViolation(lower, pdbs);
  const victims: PodInfo[] = [];
  let numPdbViolations = 0;
  // put pods back one by one: a pod that can stay is reprieved, the others are victims
  const reprieve = (pi: PodInfo): boolean => {
    addPod(copy, pi);
    if (fits(copy)) return true;
    removePod(copy, pi.key);
    victims.push(pi);
    return false;
  };
  for (const pi of violating) if (!reprieve(pi)) numPdbViolations++;
  for (const pi of fine) reprieve(pi);
  victims.sort(moreImportant);
  return { pods: victims, numPdbViolations };
}

/** Upstream's pickOneNodeForPreemption over the candidates (in the order given; the first wins ties). */
export function pickOneNode(candidates: readonly Candidate[]): Candidate | undefined {
  if (candidates.length <= 1) return candidates[0];
  const highest = (c: Candidate) => c.victims.pods[0]?.priority ?? Number.MIN_SAFE_INTEGER;
  // priorities are offset so that negative ones still add up to more than fewer pods would
  const sum = (c: Candidate) => c.victims.pods.reduce((s, p) => s + p.priority + 2147483648, 0);
  const latestStartOfHighest = (c: Candidate) => {
    const top = highest(c);
    let earliest = Number.MAX_SAFE_INTEGER;
    for (const p of c.victims.pods) if (p.priority === top) earliest = Math.min(earliest, startTime(p));
    return earliest;
  };
  const criteria: Array<(c: Candidate) => number> = [
    (c) => -c.victims.numPdbViolations,
    (c) => -highest(c),
    (c) => -sum(c),
    (c) => -c.victims.pods.length,
    latestStartOfHighest,
  ];
  let pool = [...candidates];
  for (const score of criteria) {
    let best = -Infinity;
    for (const c of pool) best = Math.max(best, score(c));
    pool = pool.filter((c) => score(c) === best);
    if (pool.length === 1) break;
  }
  return pool[0];
}
