// PodInfo: a pod with everything the plugins need parsed once (requests, ports, tolerations, affinity
// terms), so per-node checks are cheap. The pod's RuntimeClass overhead, nodeSelector and
// tolerations are already in its spec: RuntimeClass admission put them there at create.

import type { Pod, PodAffinityTerm, RuntimeClass, Toleration, WeightedPodAffinityTerm } from '../../api/gen/types.js';
import { fromLabelSelector } from '../../api/label-selector.js';
import { nothing, type LabelMatcher } from '../../base/label-selector.js';
import { nonZeroRequests, parseResourceList, podRequests, type Resource } from '../../api/scheduling/pod-requests.js';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface AffinityTerm {
  matcher: LabelMatcher;
  /** Namespaces the term selects; `undefined` = all namespaces (an empty namespaceSelector). */
  namespaces: ReadonlySet<string> | undefined;
  topologyKey: string;
  weight: number;
}

export interface PodInfo {
  readonly pod: Pod;
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: number;
  readonly requests: Resource;
  readonly nonZero: { milliCPU: number; memory: number };
  readonly hostPorts: readonly HostPort[];
  /** spec.tolerations (RuntimeClass admission merged the class's into them) */
  readonly tolerations: readonly Toleration[];
  readonly runtimeClassName: string | undefined;
  /** The resolved RuntimeClass (for its handler); undefined when none is named or it does not exist. */
  readonly runtimeClass: RuntimeClass | undefined;
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly AffinityTerm[];
  readonly preferredAntiAffinity: readonly AffinityTerm[];
  readonly terminating: boolean;
}

const safeSelector = (sel: PodAffinityTerm['labelSelector']): LabelMatcher => {
  try {
    return fromLabelSelector(sel);
  } catch {
    return nothing();
  }
};

function parseTerm(pod: Pod, t: PodAffinityTerm, weight: number): AffinityTerm {
  const ns = pod.metadata.namespace ?? 'default';
  let namespaces: ReadonlySet<string> | undefined;
  const nsSel = t.namespaceSelector;
  const selectsAll = nsSel != null && Object.keys(nsSel.matchLabels ?? {}).length === 0 && (nsSel.matchExpressions ?? []).length === 0;
  // A non-empty namespaceSelector would need namespace labels; it is treated as matching no extra namespace.
  if (selectsAll) namespaces = undefined;
  else namespaces = new Set(t.namespaces && t.namespaces.length > 0 ? t.namespaces : nsSel ? [] : [ns]);
  return { matcher: safeSelector(t.labelSelector), namespaces, topologyKey: t.topologyKey, weight };
}

export function podAffinityTermMatches(term: AffinityTerm, pod: PodInfo): boolean {
  if (term.namespaces && !term.namespaces.has(pod.namespace)) return false;
  return term.matcher.matches(pod.labels);
}

export function createPodInfo(pod: Pod, runtimeClasses?: (name: string) => RuntimeClass | undefined): PodInfo {
  const spec = pod.spec ?? { containers: [] };
  const rcName = spec.runtimeClassName || undefined;
  const rc = rcName && runtimeClasses ? runtimeClasses(rcName) : undefined;
  const requests = podRequests(spec);
  const nonZero = nonZeroRequests(spec, spec.overhead ? parseResourceList(spec.overhead) : undefined);
  const hostPorts: HostPort[] = [];
  for (const c of spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  const tolerations = spec.tolerations ?? [];
  const aff = spec.affinity;
  const terms = (list: PodAffinityTerm[] | undefined) => (list ?? []).map((t) => parseTerm(pod, t, 1));
  const weighted = (list: WeightedPodAffinityTerm[] | undefined) => (list ?? []).map((w) => parseTerm(pod, w.podAffinityTerm, w.weight));
  const namespace = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  return {
    pod,
    key: `${namespace}/${name}`,
    namespace,
    name,
    labels: pod.metadata.labels ?? {},
    priority: spec.priority ?? 0,
    requests,
    nonZero,
    hostPorts,
    tolerations,
    runtimeClassName: rcName,
    runtimeClass: rc,
    requiredAffinity: terms(aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinity: terms(aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinity: weighted(aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: weighted(aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    terminating: pod.metadata.deletionTimestamp != null,
  };
}
