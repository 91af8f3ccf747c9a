// Quota evaluators, one per kind of object quota counts (upstream's pod, service, PVC and object
// count evaluators): which quota resource names each tracks, the usage of one object, whether a
// quota's scopes match it, and the pod's "must specify" constraint. Both the quota controller
// (usage over a namespace) and quota admission (the delta of one create) read these.

import type { PersistentVolumeClaim, Pod, ResourceQuota, ScopedResourceSelectorRequirement, Service } from '../gen/types.js';
import { podQOSClass } from '../kinds/core/pod/qos.js';
import type { KubeObject } from '../object.js';
import { isNativeResource, objectCountName } from './names.js';
import { podResources } from './pod-resources.js';
import { addLists, type ResourceList } from './resource-list.js';

export interface Evaluator {
  /** the names of `names` this evaluator reports usage for */
  matchingResources(names: readonly string[]): string[];
  /** what one object uses (all names it reports, not masked); `now` in ms for terminating pods */
  usage(obj: KubeObject, now: number): ResourceList;
  /** whether an object falls under a quota scope (only pods do) */
  matchesScope(sel: ScopedResourceSelectorRequirement, obj: KubeObject): boolean;
  /** upstream's "must specify …" text when a pod leaves out what the quota constrains */
  constraints?(required: readonly string[], obj: KubeObject): string | undefined;
}

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
const one = '1';
const noScope = () => false;

const POD_RESOURCES = [
  'count/pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
];
/** cpu and memory quotas oblige every container to state them (upstream keeps this for compatibility). */
const MUST_SPECIFY = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

/** A quota name for an extended resource (`requests.example.com/gpu`). */
const isExtendedQuotaName = (n: string) => n.startsWith('requests.') && !isNativeResource(n);

/** Compute usage of requests and limits under quota's names (`cpu` and `requests.cpu` alike). */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: one };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const req = requests[r];
    if (req !== undefined) {
      out[r] = req;
      out[`requests.${r}`] = req;
    }
    const lim = limits[r];
    if (lim !== undefined) out[`limits.${r}`] = lim;
  }
  for (const [r, v] of Object.entries(requests)) {
    if (r.startsWith('hugepages-')) {
      out[r] = v;
      out[`requests.${r}`] = v;
    } else if (!isNativeResource(r)) out[`requests.${r}`] = v;
  }
  return out;
}

const listOf = (m: Record<string, string | number> | undefined): ResourceList =>
  Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, String(v)]));

/** Terminal pods, and pods whose deletion grace period has run out, no longer use compute quota. */
function podCharged(pod: Pod, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const del = pod.metadata.deletionTimestamp;
  if (del) {
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
    if (Date.parse(del) + grace < now) return false;
  }
  return true;
}

const isTerminating = (pod: Pod) => pod.spec?.activeDeadlineSeconds !== undefined && pod.spec.activeDeadlineSeconds >= 0;

function crossNamespaceAffinity(pod: Pod): boolean {
  const a = pod.spec?.affinity;
  const terms = [
    ...(a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
    ...(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
  ];
  return terms.some((t) => (t.namespaces ?? []).length > 0 || t.namespaceSelector !== undefined);
}

function priorityClassMatches(pod: Pod, sel: ScopedResourceSelectorRequirement): boolean {
  const cls = pod.spec?.priorityClassName ?? '';
  const values = sel.values ?? [];
  switch (sel.operator) {
    case 'Exists':
      return cls !== '';
    case 'DoesNotExist':
      return cls === '';
    case 'In':
      return cls !== '' && values.includes(cls);
    case 'NotIn':
      return cls === '' || !values.includes(cls);
    default:
      return false;
  }
}

const podEvaluator: Evaluator = {
  matchingResources: (names) =>
    names.filter(
      (n) => POD_RESOURCES.includes(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-') || isExtendedQuotaName(n),
    ),
  usage(obj, now) {
    const pod = obj as Pod;
    const base: ResourceList = { 'count/pods': one };
    if (!podCharged(pod, now)) return base;
    return addLists(base, computeUsage(podResources(pod, 'requests'), podResources(pod, 'limits')));
  },
  matchesScope(sel, obj) {
    const pod = obj as Pod;
    switch (sel.scopeName) {
      case 'Terminating':
        return isTerminating(pod);
      case 'NotTerminating':
        return !isTerminating(pod);
      case 'BestEffort':
        return podQOSClass(pod.spec) === 'BestEffort';
      case 'NotBestEffort':
        return podQOSClass(pod.spec) !== 'BestEffort';
      case 'PriorityClass':
        return priorityClassMatches(pod, sel);
      case 'CrossNamespacePodAffinity':
        return crossNamespaceAffinity(pod);
      default:
        return false;
    }
  },
  constraints(required, obj) {
    const pod = obj as Pod;
    const want = required.filter((r) => MUST_SPECIFY.has(r));
    if (want.length === 0) return undefined;
    const missing = new Map<string, Set<string>>();
    for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
      const has = computeUsage(listOf(c.resources?.requests), listOf(c.resources?.limits));
      for (const r of want) {
        if (has[r] !== undefined) continue;
        const set = missing.get(r) ?? new Set<string>();
        set.add(c.name);
        missing.set(r, set);
      }
    }
    if (missing.size === 0) return undefined;
    const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...(missing.get(r) ?? [])].sort().join(',')}`);
    return `must specify ${parts.join('; ')}`;
  },
};

const SERVICE_RESOURCES = ['count/services', 'services', 'services.nodeports', 'services.loadbalancers'];

const serviceEvaluator: Evaluator = {
  matchingResources: (names) => names.filter((n) => SERVICE_RESOURCES.includes(n)),
  usage(obj) {
    const svc = obj as Service;
    const out: ResourceList = { 'count/services': one, services: one };
    const ports = svc.spec?.ports ?? [];
    if (svc.spec?.type === 'NodePort') out['services.nodeports'] = String(ports.length);
    if (svc.spec?.type === 'LoadBalancer') {
      // with node ports suppressed only the ports that name one explicitly take one
      const counted = svc.spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p.nodePort).length : ports.length;
      out['services.nodeports'] = String(counted);
      out['services.loadbalancers'] = one;
    }
    return out;
  },
  matchesScope: noScope,
};

const PVC_RESOURCES = ['count/persistentvolumeclaims', 'persistentvolumeclaims', 'requests.storage'];
const isClassResource = (n: string) =>
  n.endsWith(`${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`) || n.endsWith(`${STORAGE_CLASS_SUFFIX}requests.storage`);

const pvcEvaluator: Evaluator = {
  matchingResources: (names) => names.filter((n) => PVC_RESOURCES.includes(n) || isClassResource(n)),
  usage(obj) {
    const pvc = obj as PersistentVolumeClaim;
    const out: ResourceList = { 'count/persistentvolumeclaims': one, persistentvolumeclaims: one };
    const cls = pvc.spec?.storageClassName ?? pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
    if (cls) out[`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = one;
    const storage = pvc.spec?.resources?.requests?.['storage'];
    if (storage !== undefined) {
      out['requests.storage'] = String(storage);
      if (cls) out[`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`] = String(storage);
    }
    return out;
  },
  matchesScope: noScope,
};

/** Core kinds quota counted before `count/…` existed, under their plain plural. */
const LEGACY_COUNTED = new Set(['configmaps', 'secrets', 'replicationcontrollers', 'resourcequotas']);

function objectCountEvaluator(group: string, plural: string): Evaluator {
  const names = [objectCountName(group, plural)];
  if (group === '' && LEGACY_COUNTED.has(plural)) names.push(plural);
  return {
    matchingResources: (want) => want.filter((n) => names.includes(n)),
    usage: () => Object.fromEntries(names.map((n) => [n, one])),
    matchesScope: noScope,
  };
}

/** The evaluator of a resource (group '' is core). */
export function evaluatorFor(group: string, plural: string): Evaluator {
  if (group === '') {
    if (plural === 'pods') return podEvaluator;
    if (plural === 'services') return serviceEvaluator;
    if (plural === 'persistentvolumeclaims') return pvcEvaluator;
  }
  return objectCountEvaluator(group, plural);
}

/** The quota's scopes as selector requirements (a plain scope is `Exists`). */
function quotaScopeSelectors(q: ResourceQuota): ScopedResourceSelectorRequirement[] {
  return [...(q.spec?.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists' })), ...(q.spec?.scopeSelector?.matchExpressions ?? [])];
}

/** Whether `obj` counts against quota `q`: it tracks some of the quota's resources and matches all its scopes. */
export function quotaMatches(q: ResourceQuota, ev: Evaluator, hardNames: readonly string[], obj: KubeObject): boolean {
  if (ev.matchingResources(hardNames).length === 0) return false;
  return quotaScopeSelectors(q).every((s) => ev.matchesScope(s, obj));
}
