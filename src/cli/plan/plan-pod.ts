// One pod's fate in the upgrade planner, pure: the images it runs (the entry its node runs today,
// or with --from-image-index every Windows entry of the index), the isolation its workload pins,
// the nodes that would admit it after the upgrade, and the scheduler's own rule on each of them
// (podIsolationOnHost: process isolation on any node before Hyper-V). plan-upgrade.ts groups the
// answers by workload.

import type { Pod, RuntimeClass } from '../../api/gen/types.js';
import {
  entryFor,
  isolationPin,
  podIsolationOnHost,
  windowsBuildsOf,
  type ImagePlatformEntry,
  type ImagePlatforms,
  type IsolationPin,
  type PodIsolationVerdict,
  type WindowsHost,
} from '../../api/scheduling/windows-pod-isolation.js';
import { parseWindowsVersion, type WindowsIsolation, type WindowsVersion } from '../../api/scheduling/windows-isolation.js';
import { ANNOTATION_ISOLATION, ANNOTATION_WINDOWS_ISOLATION } from '../../api/well-known.js';
import type { ImageFactsLookup } from '../../client/registry/image-facts.js';
import { admittedNodes, hostKey, type AfterNode } from './plan-nodes.js';
import { cannotRun, noAdmittedNode, type Explanation, type Phrase } from './plan-reasons.js';
import { buildText, type WorkloadRef } from './plan-scope.js';

export type PlanOutcome = 'process' | 'hyperv' | 'unschedulable' | 'unknown';

export interface IsolationBuilds {
  isolation: WindowsIsolation;
  /** the Windows builds of the image entries (major.minor.build) */
  builds: string[];
}

/** The images of a pod's sandbox (init containers too: one isolation for all), each once. */
export const podImages = (pod: Pod): string[] => [
  ...new Set([...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.image ?? '').filter(Boolean)),
];

/**
 * The key of one image's facts for one pod: the image alone, or with the pod's pull secrets, which
 * may change what the registry answers (a private image read without them fails). A map keyed by
 * image alone serves every pod.
 */
export function factsKey(pod: Pod, image: string): string {
  const names = (pod.spec?.imagePullSecrets ?? []).map((r) => r.name ?? '').sort();
  return names.length ? `${image} with pull secrets ${pod.metadata.namespace ?? 'default'}/${names.join(',')}` : image;
}

export const factsOf = (facts: ReadonlyMap<string, ImageFactsLookup>, pod: Pod, image: string) =>
  facts.get(factsKey(pod, image)) ?? facts.get(image);

/** The isolation a pod runs with now: what the scheduler recorded, else its pin, else process. */
function currentIsolation(pod: Pod, rc: { name: string; handler: string } | undefined): WindowsIsolation {
  const recorded = pod.metadata.annotations?.[ANNOTATION_ISOLATION];
  if (recorded === 'process' || recorded === 'hyperv') return recorded;
  const pin = isolationPin(pod, rc);
  return typeof pin === 'object' ? pin.isolation : 'process';
}

/**
 * The pin new pods of the workload carry: read from its pod template, where there is one. The pod's
 * own `tandem.dev/isolation` is what the scheduler recorded at binding, not a wish, so a bare pod's
 * is left out.
 */
function pinOf(pod: Pod, w: WorkloadRef, rc: { name: string; handler: string } | undefined): IsolationPin | string | undefined {
  const annotations = { ...(w.template ? (w.template.metadata?.annotations ?? {}) : (pod.metadata.annotations ?? {})) };
  if (!w.template) delete annotations[ANNOTATION_ISOLATION];
  return isolationPin({ metadata: { annotations }, spec: pod.spec }, rc);
}

const rcRef = (rc: RuntimeClass | undefined) => (rc ? { name: rc.metadata.name ?? '', handler: rc.handler } : undefined);

const buildsOf = (entries: ReadonlyArray<ImagePlatformEntry | undefined>): string[] => {
  const out = new Set<string>();
  for (const e of entries) {
    const v = parseWindowsVersion(e?.osVersion ?? '');
    if (v) out.add(buildText(v));
  }
  return [...out].sort();
};

export interface PodDecision extends Explanation {
  outcome: PlanOutcome;
  nodes: string[];
  now: IsolationBuilds;
  after?: IsolationBuilds;
}

export interface PodContext {
  after: readonly AfterNode[];
  hostsNow: ReadonlyMap<string, WindowsHost>;
  rcs: ReadonlyMap<string, RuntimeClass>;
  facts: ReadonlyMap<string, ImageFactsLookup>;
  to: WindowsVersion;
  fromImageIndex: boolean;
  buildsBefore: ReadonlySet<string>;
}

/**
 * What decidePod reads of a pod, as a string: pods with equal signatures (a Deployment's, mostly)
 * get one decision. A DaemonSet's pods differ by the node their affinity names.
 */
export function podSignature(pod: Pod, w: WorkloadRef, ctx: PodContext): string {
  const a = pod.metadata.annotations ?? {};
  const t = w.template?.metadata?.annotations ?? {};
  const spec = pod.spec;
  const hostNow = ctx.hostsNow.get(spec?.nodeName ?? '');
  return JSON.stringify([
    pod.metadata.namespace,
    podImages(pod).map((i) => factsKey(pod, i)),
    spec?.runtimeClassName,
    [a[ANNOTATION_ISOLATION], a[ANNOTATION_WINDOWS_ISOLATION]],
    w.template ? [t[ANNOTATION_ISOLATION], t[ANNOTATION_WINDOWS_ISOLATION]] : null,
    spec?.nodeSelector,
    spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
    spec?.tolerations,
    hostNow && hostKey(hostNow),
  ]);
}

export function decidePod(pod: Pod, w: WorkloadRef, ctx: PodContext): PodDecision {
  const rc = rcRef(ctx.rcs.get(pod.spec?.runtimeClassName ?? ''));
  const images = podImages(pod);
  const hostNow = ctx.hostsNow.get(pod.spec?.nodeName ?? '') as WindowsHost;
  const isoNow = currentIsolation(pod, rc);
  const unknown = (reason: string, now: IsolationBuilds): PodDecision => ({
    outcome: 'unknown',
    nodes: [],
    now,
    reason: [{ text: reason }],
    fixes: [],
  });

  const indexes: ImagePlatforms[] = [];
  for (const image of images) {
    const f = factsOf(ctx.facts, pod, image);
    if (f?.state !== 'known') {
      const why = f?.state === 'failed' ? `${f.message} (${f.reason})` : 'its platforms were not read from the registry';
      return unknown(`image ${image}: ${why}`, { isolation: isoNow, builds: [] });
    }
    indexes.push({ image, platforms: f.facts.platforms });
  }
  const entriesNow = indexes.map((i) => entryFor(i.platforms, hostNow, isoNow));
  const now = { isolation: isoNow, builds: buildsOf(entriesNow) };
  const pin = pinOf(pod, w, rc);
  if (typeof pin === 'string')
    return {
      outcome: 'unschedulable',
      nodes: [],
      now,
      reason: [{ text: pin }],
      fixes: [{ text: 'make the pod template ask for one isolation' }],
    };
  let considered = indexes;
  if (!ctx.fromImageIndex) {
    // an image with no Windows entry for the node at all is left to the rule, which says so plainly
    const missing = entriesNow.findIndex((e, k) => !e && windowsBuildsOf(indexes[k]?.platforms ?? [], hostNow.architecture).length > 0);
    if (missing >= 0)
      return unknown(
        `image ${images[missing]} has no entry that its node (Windows ${buildText(hostNow.build)}, ${hostNow.architecture}) ` +
          `runs with ${isoNow} isolation, so the build the pod runs is not known (the tag may have moved since it started): plan with --from-image-index`,
        now,
      );
    considered = indexes.map((i, k) => {
      const e = entriesNow[k];
      return e ? { image: i.image, platforms: [e] } : i;
    });
  }

  const candidates = admittedNodes(pod, ctx.after);
  if (candidates.length === 0) return { outcome: 'unschedulable', nodes: [], now, ...noAdmittedNode(pod, ctx.after.length) };
  const verdicts = new Map<string, PodIsolationVerdict>();
  const verdictOn = (n: AfterNode): PodIsolationVerdict => {
    let v = verdicts.get(n.key);
    if (!v) verdicts.set(n.key, (v = podIsolationOnHost(considered, n.host, pin)));
    return v;
  };
  for (const isolation of ['process', 'hyperv'] as const) {
    const on = candidates.filter((n) => verdictOn(n).isolation === isolation);
    const first = on[0];
    if (!first) continue;
    return {
      outcome: isolation,
      nodes: on.map((n) => n.host.name),
      now,
      after: { isolation, builds: buildsOf(on.flatMap((n) => verdictOn(n).entries)) },
      reason: [{ text: verdictOn(first).reason }],
      fixes: isolation === 'hyperv' && !ctx.fromImageIndex ? indexHint(indexes, candidates, pin) : [],
    };
  }
  const why = cannotRun({
    images: considered,
    indexes,
    candidates,
    verdictOn,
    pin,
    to: ctx.to,
    fromImageIndex: ctx.fromImageIndex,
    buildsBefore: ctx.buildsBefore,
  });
  return { outcome: 'unschedulable', nodes: [], now, ...why };
}

/** Judged by the build it runs the pod moves to Hyper-V; a fresh pull of an entry its index also offers would not. */
function indexHint(indexes: readonly ImagePlatforms[], candidates: readonly AfterNode[], pin: IsolationPin | undefined): Phrase[] {
  const process = new Map<string, boolean>();
  const runsProcess = (n: AfterNode) => {
    let v = process.get(n.key);
    if (v === undefined) process.set(n.key, (v = podIsolationOnHost(indexes, n.host, pin).isolation === 'process'));
    return v;
  };
  const on = candidates.filter(runsProcess).map((n) => n.host.name);
  if (on.length === 0) return [];
  const images = indexes.map((i) => i.image).join(', ');
  return [
    {
      text: `the index of ${images} also offers a build that {nodes} run process-isolated: a fresh pull there takes it (plan with --from-image-index)`,
      nodes: on,
    },
  ];
}
