// NodeInfo: a node plus the aggregate of the pods on it (requested resources, used host ports,
// counts of pods with affinity terms), kept incrementally as pods come and go.

import type { Node, Taint } from '../../api/gen/types.js';
import { LABEL_OS } from '../../api/well-known.js';
import type { HostPort, PodInfo } from './pod-info.js';
import { addTo, emptyResource, parseResourceList, type Resource } from '../../api/scheduling/pod-requests.js';
import { quantityToNumber } from '../../base/quantity.js';
import { windowsHostOf, type WindowsHost } from '../../api/scheduling/windows-pod-isolation.js';
import { formatWindowsVersion } from '../../api/scheduling/windows-isolation.js';

export interface NodeInfo {
  readonly name: string;
  node: Node;
  labels: Readonly<Record<string, string>>;
  /** NoSchedule/NoExecute taints (filtering) and PreferNoSchedule ones (scoring), split once. */
  hardTaints: Taint[];
  softTaints: Taint[];
  unschedulable: boolean;
  os: string | undefined;
  /** status.runtimeHandlers names; undefined when the node reports none. */
  runtimeHandlers: ReadonlySet<string> | undefined;
  /** The default runtime handler ("") is among them, or the node lists none (hot in NodeRuntimeHandler). */
  offersDefaultRuntime: boolean;
  /** A Windows node's build, architecture and Hyper-V (windowsHostOf); undefined elsewhere or when it reports no build. */
  windowsHost: WindowsHost | undefined;
  /**
   * A small integer per distinct (build, architecture, Hyper-V) of Windows nodes, so that a plugin
   * can keep one result per kind of host in an array; -1 when windowsHost is undefined.
   */
  windowsShape: number;
  allocatable: Resource;
  allowedPodNumber: number;
  requested: Resource;
  nonZeroRequested: { milliCPU: number; memory: number };
  readonly pods: Map<string, PodInfo>;
  usedPorts: HostPort[];
  podsWithAffinity: number;
  podsWithRequiredAntiAffinity: number;
  /** Bumped on every change. */
  generation: number;
}

export function createNodeInfo(node: Node): NodeInfo {
  const ni: NodeInfo = {
    name: node.metadata.name ?? '',
    node,
    labels: {},
    hardTaints: [],
    softTaints: [],
    unschedulable: false,
    os: undefined,
    runtimeHandlers: undefined,
    offersDefaultRuntime: true,
    windowsHost: undefined,
    windowsShape: -1,
    allocatable: emptyResource(),
    allowedPodNumber: 0,
    requested: emptyResource(),
    nonZeroRequested: { milliCPU: 0, memory: 0 },
    pods: new Map(),
    usedPorts: [],
    podsWithAffinity: 0,
    podsWithRequiredAntiAffinity: 0,
    generation: 0,
  };
  setNode(ni, node);
  return ni;
}

/** Replaces the node object (labels, taints, allocatable...) keeping the pods. */
export function setNode(ni: NodeInfo, node: Node): void {
  ni.node = node;
  ni.labels = node.metadata.labels ?? {};
  const taints = node.spec?.taints ?? [];
  ni.hardTaints = taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  ni.softTaints = taints.filter((t) => t.effect === 'PreferNoSchedule');
  ni.unschedulable = node.spec?.unschedulable === true;
  // kubelets always set kubernetes.io/os; a node without it is taken for Linux (the kubelet default)
  ni.os = ni.labels[LABEL_OS] ?? 'linux';
  const st = node.status ?? {};
  const handlers = st.runtimeHandlers;
  ni.runtimeHandlers = handlers && handlers.length > 0 ? new Set(handlers.map((h) => h.name ?? '')) : undefined;
  ni.offersDefaultRuntime = ni.runtimeHandlers === undefined || ni.runtimeHandlers.has('');
  ni.windowsHost = ni.os === 'windows' ? windowsHostOf(node) : undefined;
  ni.windowsShape = ni.windowsHost ? windowsShapeOf(ni.windowsHost) : -1;
  const alloc = st.allocatable ?? st.capacity;
  ni.allocatable = parseResourceList(alloc);
  let pods = 0;
  try {
    pods = alloc?.['pods'] !== undefined ? quantityToNumber(alloc['pods']) : 0;
  } catch {
    pods = 0;
  }
  ni.allowedPodNumber = pods;
  ni.generation++;
}

const windowsShapes = new Map<string, number>();
function windowsShapeOf(h: WindowsHost): number {
  const key = `${formatWindowsVersion(h.build)}|${h.architecture}|${h.hyperv ? 'hyperv' : ''}`;
  let id = windowsShapes.get(key);
  if (id === undefined) windowsShapes.set(key, (id = windowsShapes.size));
  return id;
}

/** A cheap fingerprint of what scheduling reads from a node (to ignore heartbeat-only updates). */
export function schedulingFingerprint(node: Node): string {
  const st = node.status ?? {};
  return JSON.stringify([
    node.metadata.labels,
    node.spec?.taints,
    node.spec?.unschedulable,
    st.allocatable ?? st.capacity,
    st.runtimeHandlers,
  ]);
}

export function addPod(ni: NodeInfo, pi: PodInfo): void {
  const old = ni.pods.get(pi.key);
  if (old) removePod(ni, pi.key);
  ni.pods.set(pi.key, pi);
  addTo(ni.requested, pi.requests);
  ni.nonZeroRequested.milliCPU += pi.nonZero.milliCPU;
  ni.nonZeroRequested.memory += pi.nonZero.memory;
  for (const p of pi.hostPorts) ni.usedPorts.push(p);
  if (pi.requiredAffinity.length || pi.preferredAffinity.length || pi.requiredAntiAffinity.length || pi.preferredAntiAffinity.length)
    ni.podsWithAffinity++;
  if (pi.requiredAntiAffinity.length) ni.podsWithRequiredAntiAffinity++;
  ni.generation++;
}

export function removePod(ni: NodeInfo, key: string): PodInfo | undefined {
  const pi = ni.pods.get(key);
  if (!pi) return undefined;
  ni.pods.delete(key);
  addTo(ni.requested, pi.requests, -1);
  ni.nonZeroRequested.milliCPU -= pi.nonZero.milliCPU;
  ni.nonZeroRequested.memory -= pi.nonZero.memory;
  if (pi.hostPorts.length) {
    for (const p of pi.hostPorts) {
      const i = ni.usedPorts.indexOf(p);
      if (i >= 0) ni.usedPorts.splice(i, 1);
    }
  }
  if (pi.requiredAffinity.length || pi.preferredAffinity.length || pi.requiredAntiAffinity.length || pi.preferredAntiAffinity.length)
    ni.podsWithAffinity--;
  if (pi.requiredAntiAffinity.length) ni.podsWithRequiredAntiAffinity--;
  ni.generation++;
  return pi;
}

/** A NodeInfo with the same node and pods, to try additions or removals on without touching the cache. */
export function cloneNodeInfo(ni: NodeInfo): NodeInfo {
  const copy = createNodeInfo(ni.node);
  for (const pi of ni.pods.values()) addPod(copy, pi);
  return copy;
}
