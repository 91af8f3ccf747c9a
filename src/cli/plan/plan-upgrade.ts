// The upgrade planner's decision, pure: for each pod on the selected nodes that the isolation rules
// touch, what it would get if those nodes ran --to-build and the others kept theirs, decided by the
// scheduler's own rule (podIsolationOnHost: process isolation on any node before Hyper-V), then
// grouped by the workload that recreates it. Plain objects in (nodes, pods, owners, RuntimeClasses,
// image facts), a plain plan out; plan-command.ts reads the cluster, plan-format.ts prints.

import type { Node, Pod, RuntimeClass } from '../../api/gen/types.js';
import { windowsBuildsOf, windowsHostOf, type WindowsHost } from '../../api/scheduling/windows-pod-isolation.js';
import { formatWindowsVersion } from '../../api/scheduling/windows-isolation.js';
import { HANDLER_WINDOWS_HYPERV } from '../../api/well-known.js';
import { addQuantities, formatQuantity } from '../../base/quantity.js';
import type { ImageFactsLookup } from '../../client/registry/image-facts.js';
import { imageRegistry } from '../../client/registry/pull-secrets.js';
import { nodesAfter } from './plan-nodes.js';
import { mergePhrases, renderPhrase, type Phrase } from './plan-reasons.js';
import {
  decidePod,
  factsOf,
  podImages,
  podSignature,
  type IsolationBuilds,
  type PlanOutcome,
  type PodContext,
  type PodDecision,
} from './plan-pod.js';
import {
  buildText,
  exemptReason,
  indexOwners,
  isActivePod,
  parseNodeSelector,
  parseToBuild,
  selectNodes,
  workloadOf,
  type WorkloadObject,
} from './plan-scope.js';

export interface PlanInput {
  /** every node of the cluster (the others are where pods may go) */
  nodes: readonly Node[];
  /** the pods bound to the selected nodes (others are ignored) */
  pods: readonly Pod[];
  /** the ReplicaSets, DaemonSets, StatefulSets and Jobs that own them (missing ones: the pod stands for itself) */
  owners: readonly WorkloadObject[];
  runtimeClasses: readonly RuntimeClass[];
  /** image reference as the pod names it -> what the registry said */
  facts: ReadonlyMap<string, ImageFactsLookup>;
  /** --nodes */
  selector: string;
  /** --to-build */
  toBuild: string;
  /** --from-image-index: every Windows entry of each image's index, not only the one each pod runs */
  fromImageIndex?: boolean;
}

interface ResourceSum {
  cpu: string;
  memory: string;
}

/** One workload's pods with one outcome (a workload whose pods differ has one row per outcome). */
export interface WorkloadPlan {
  namespace: string;
  kind: string;
  name: string;
  outcome: PlanOutcome;
  /** names of its pods on the selected nodes */
  pods: string[];
  /** where they would run with that isolation (empty when they cannot) */
  nodes: string[];
  now: IsolationBuilds[];
  after?: IsolationBuilds;
  reason: string;
  fixes: string[];
  images: string[];
  /** pods that run process-isolated now and Hyper-V-isolated after */
  movingToHyperV: number;
  /** the Hyper-V overhead those pods add */
  overhead?: ResourceSum;
}

interface PlannedNode {
  name: string;
  /** the build it runs now */
  build: string;
  architecture: string;
  hyperv: boolean;
}

interface ImageReport {
  image: string;
  registry: string;
  digest?: string;
  windowsBuilds: string[];
  error?: { reason: string; message: string };
}

export interface UpgradePlan {
  toBuild: string;
  selector: string;
  fromImageIndex: boolean;
  nodes: PlannedNode[];
  workloads: WorkloadPlan[];
  images: ImageReport[];
  /** Linux, HostProcess and native-process pods on the selected nodes */
  unaffectedPods: number;
  /** the Hyper-V RuntimeClass, its overhead per pod, and the sum for the pods that move to Hyper-V */
  overhead: ResourceSum & { runtimeClass?: string; perPod: ResourceSum; pods: number };
}

/** The RuntimeClass whose overhead a Hyper-V pod pays: the one named like its handler, else the first by name. */
function hypervRuntimeClass(rcs: readonly RuntimeClass[]): RuntimeClass | undefined {
  const hv = rcs
    .filter((r) => r.handler === HANDLER_WINDOWS_HYPERV)
    .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  return hv.find((r) => r.metadata.name === HANDLER_WINDOWS_HYPERV) ?? hv[0];
}

/** Exactly, in the first quantity's format (`512Mi` x 2 = `1Gi`); `0` for none. */
function sumQuantities(qs: ReadonlyArray<string | number>): string {
  const [first, ...rest] = qs;
  return first === undefined ? '0' : formatQuantity(rest.reduce((acc, q) => addQuantities(acc, q), addQuantities(first, '0')));
}

function overheadFor(rc: RuntimeClass | undefined, pods: number): ResourceSum {
  const fixed = rc?.overhead?.podFixed ?? {};
  const times = (q: string | number | undefined) => sumQuantities(q === undefined ? [] : new Array<string | number>(pods).fill(q));
  return { cpu: times(fixed['cpu']), memory: times(fixed['memory']) };
}

const uniqSorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** The plan. Throws PlanInputError for bad flags and selections (plan-scope.ts). */
export function planUpgrade(input: PlanInput): UpgradePlan {
  const to = parseToBuild(input.toBuild);
  const selected = selectNodes(input.nodes, parseNodeSelector(input.selector), input.selector);
  const upgraded = new Set(selected.map((s) => s.host.name));
  const hostsNow = new Map<string, WindowsHost>();
  for (const n of input.nodes) {
    const h = windowsHostOf(n);
    if (h) hostsNow.set(h.name, h);
  }
  const rcs = new Map(input.runtimeClasses.map((r) => [r.metadata.name ?? '', r]));
  const ctx: PodContext = {
    after: nodesAfter(input.nodes, upgraded, to),
    hostsNow,
    rcs,
    facts: input.facts,
    to,
    fromImageIndex: input.fromImageIndex === true,
    buildsBefore: new Set(selected.map((s) => buildText(s.host.build))),
  };
  const owner = indexOwners(input.owners);
  const hvClass = hypervRuntimeClass(input.runtimeClasses);

  let unaffectedPods = 0;
  // rows gather their pods' sentences; a DaemonSet's pods, one per node, become one sentence naming their nodes
  type Row = Omit<WorkloadPlan, 'reason' | 'fixes' | 'nodes' | 'images'> & {
    nodes: Set<string>;
    images: Set<string>;
    nowKeys: Set<string>;
    merged: Set<PodDecision>;
    reason: Phrase[];
    fixes: Phrase[];
  };
  const rows = new Map<string, Row>();
  const used = new Map<string, Set<ImageFactsLookup>>();
  const decided = new Map<string, PodDecision>();
  const pods = input.pods.filter((p) => isActivePod(p) && upgraded.has(p.spec?.nodeName ?? ''));
  for (const pod of pods) {
    if (exemptReason(pod, rcs.get(pod.spec?.runtimeClassName ?? ''))) {
      unaffectedPods++;
      continue;
    }
    const w = workloadOf(pod, owner);
    const sig = podSignature(pod, w, ctx);
    let d = decided.get(sig);
    if (!d) decided.set(sig, (d = decidePod(pod, w, ctx)));
    const images = podImages(pod);
    for (const i of images) {
      const f = factsOf(input.facts, pod, i);
      const seen = used.get(i) ?? new Set<ImageFactsLookup>();
      if (f) seen.add(f);
      used.set(i, seen);
    }
    const key = `${w.namespace}\0${w.kind}\0${w.name}\0${d.outcome}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        namespace: w.namespace,
        kind: w.kind,
        name: w.name,
        outcome: d.outcome,
        pods: [],
        nodes: new Set(),
        now: [],
        nowKeys: new Set(),
        merged: new Set(),
        reason: [],
        fixes: [],
        images: new Set(),
        movingToHyperV: 0,
      };
      rows.set(key, row);
    }
    row.pods.push(pod.metadata.name ?? '');
    images.forEach((i) => row.images.add(i));
    if (d.outcome === 'hyperv' && d.now.isolation === 'process') row.movingToHyperV++;
    if (row.merged.has(d)) continue;
    row.merged.add(d);
    d.nodes.forEach((n) => row.nodes.add(n));
    // where it runs, the first pod's words say why; where it cannot, every pod's reasons count
    const runs = d.outcome === 'process' || d.outcome === 'hyperv';
    row.reason = runs && row.reason.length ? row.reason : mergePhrases(row.reason, d.reason);
    row.fixes = mergePhrases(row.fixes, d.fixes);
    const nk = `${d.now.isolation}/${d.now.builds.join('+')}`;
    if (!row.nowKeys.has(nk)) {
      row.nowKeys.add(nk);
      row.now.push(d.now);
    }
    if (d.after) row.after = { isolation: d.after.isolation, builds: uniqSorted([...(row.after?.builds ?? []), ...d.after.builds]) };
  }

  const workloads = [...rows.values()]
    .map(({ nowKeys: _n, merged: _m, reason, fixes, nodes, images, ...r }): WorkloadPlan => {
      const w = {
        ...r,
        pods: r.pods.sort(),
        nodes: uniqSorted(nodes),
        images: uniqSorted(images),
        reason: reason.map(renderPhrase).join('; '),
        fixes: fixes.map(renderPhrase),
      };
      return w.movingToHyperV > 0 ? { ...w, overhead: overheadFor(hvClass, w.movingToHyperV) } : w;
    })
    .sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) ||
        a.kind.localeCompare(b.kind) ||
        a.name.localeCompare(b.name) ||
        a.outcome.localeCompare(b.outcome),
    );
  const moving = workloads.reduce((n, w) => n + w.movingToHyperV, 0);

  return {
    toBuild: formatWindowsVersion(to),
    selector: input.selector,
    fromImageIndex: ctx.fromImageIndex,
    nodes: selected
      .map(({ host }) => ({ name: host.name, build: buildText(host.build), architecture: host.architecture, hyperv: host.hyperv }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    workloads,
    images: [...used.keys()].sort().map((image) => imageReport(image, [...(used.get(image) ?? [])])),
    unaffectedPods,
    overhead: {
      ...(hvClass ? { runtimeClass: hvClass.metadata.name ?? '' } : {}),
      perPod: overheadFor(hvClass, 1),
      pods: moving,
      ...overheadFor(hvClass, moving),
    },
  };
}

/** One image: its builds when any pod's lookup read them, and the error of a lookup that failed (some pods may lack its credentials). */
function imageReport(image: string, lookups: readonly ImageFactsLookup[]): ImageReport {
  const known = lookups.find((f) => f.state === 'known');
  const failed = lookups.find((f) => f.state === 'failed');
  const out: ImageReport = known
    ? { image, registry: known.facts.registry, digest: known.facts.digest, windowsBuilds: windowsBuildsOf(known.facts.platforms) }
    : { image, registry: failed?.registry ?? imageRegistry(image), windowsBuilds: [] };
  if (failed) out.error = { reason: failed.reason, message: failed.message };
  else if (!known) out.error = { reason: 'Pending', message: 'not read from the registry' };
  return out;
}
