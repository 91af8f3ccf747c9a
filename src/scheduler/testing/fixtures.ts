// Small builders for scheduler tests: nodes, pods, NodeInfos and a one-plugin runner.

import type { Node, Pod, PodSpec, RuntimeClass, Taint, Toleration } from '../../api/gen/types.js';
import { createCycleState, type CycleState } from '../framework/cycle-state.js';
import type { FilterPlugin, Plugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/interfaces.js';
import { isFilter, isPreFilter, isPreScore, isScore } from '../framework/interfaces.js';
import { addPod, createNodeInfo, type NodeInfo } from '../framework/node-info.js';
import { createPodInfo, type PodInfo } from '../framework/pod-info.js';
import { createStaticSnapshot, type Snapshot } from '../framework/snapshot.js';
import type { Result } from '../framework/status.js';

export interface NodeOpts {
  labels?: Record<string, string>;
  taints?: Taint[];
  cpu?: string;
  memory?: string;
  pods?: string;
  unschedulable?: boolean;
  runtimeHandlers?: string[];
  extra?: Record<string, string>;
}
export function mkNode(name: string, o: NodeOpts = {}): Node {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...o.extra };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity: alloc,
      allocatable: alloc,
      ...(o.runtimeHandlers ? { runtimeHandlers: o.runtimeHandlers.map((name) => ({ name })) } : {}),
    },
  };
}

export interface PodOpts {
  ns?: string;
  labels?: Record<string, string>;
  cpu?: string;
  memory?: string;
  spec?: Partial<PodSpec>;
  tolerations?: Toleration[];
  hostPort?: number;
  nodeName?: string;
}
export function mkPod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests['cpu'] = o.cpu;
  if (o.memory) requests['memory'] = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${name}`, labels: o.labels ?? {} },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'x',
          resources: { requests },
          ...(o.hostPort ? { ports: [{ containerPort: 80, hostPort: o.hostPort, protocol: 'TCP' }] } : {}),
        },
      ],
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...o.spec,
    },
  };
}

export function info(pod: Pod, rcs: RuntimeClass[] = []): PodInfo {
  return createPodInfo(pod, (n) => rcs.find((r) => r.metadata.name === n));
}

/** A NodeInfo with the given pods on it. */
export function mkNodeInfo(node: Node, pods: Pod[] = []): NodeInfo {
  const ni = createNodeInfo(node);
  for (const p of pods) addPod(ni, info(p));
  return ni;
}

export interface OneRun {
  pre: Result;
  filter: Map<string, Result>;
  state: CycleState;
}

/** Runs one plugin's PreFilter then Filter on every node of the snapshot. */
export function runFilter(plugin: Plugin, pod: PodInfo, nodes: NodeInfo[]): OneRun {
  const snap = createStaticSnapshot(nodes);
  const state = createCycleState();
  const pre = isPreFilter(plugin) ? (plugin as PreFilterPlugin).preFilter(state, pod, snap) : undefined;
  const filter = new Map<string, Result>();
  if (pre && pre.code !== 'Skip') return { pre, filter, state };
  for (const n of nodes) filter.set(n.name, isFilter(plugin) ? (plugin as FilterPlugin).filter(state, pod, n) : undefined);
  return { pre, filter, state };
}

/** Names of nodes that pass. */
export const passing = (r: OneRun) => [...r.filter].filter(([, s]) => !s).map(([n]) => n);

/** PreScore, Score and NormalizeScore of one plugin: node name -> score. */
export function runScore(plugin: Plugin, pod: PodInfo, nodes: NodeInfo[], snapshot?: Snapshot): Map<string, number> {
  const state = createCycleState();
  if (isPreFilter(plugin)) (plugin as PreFilterPlugin).preFilter(state, pod, snapshot ?? createStaticSnapshot(nodes));
  if (isPreScore(plugin)) {
    const s = (plugin as PreScorePlugin).preScore(state, pod, nodes);
    if (s?.code === 'Skip') return new Map(nodes.map((n) => [n.name, 0]));
  }
  const sp = plugin as ScorePlugin;
  if (!isScore(plugin)) throw new Error('not a score plugin');
  const scores = new Float64Array(nodes.map((n) => sp.score(state, pod, n)));
  sp.normalizeScore?.(state, pod, nodes, scores);
  return new Map(nodes.map((n, i) => [n.name, scores[i] ?? 0]));
}

export const rc = (name: string, handler: string, extra: Partial<RuntimeClass> = {}): RuntimeClass => ({
  apiVersion: 'node.k8s.io/v1',
  kind: 'RuntimeClass',
  metadata: { name },
  handler,
  ...extra,
});

/** A Windows node of `build` (the windows-build label), with Hyper-V when asked (runtime handlers as containerd lists them). */
export function mkWindowsNode(name: string, build: string, o: { hyperv?: boolean; arch?: string; cpu?: string } = {}): Node {
  const handlers = ['runhcs-wcow-process', '', ...(o.hyperv ? ['runhcs-wcow-hypervisor'] : [])];
  return mkNode(name, {
    labels: { 'kubernetes.io/os': 'windows', 'kubernetes.io/arch': o.arch ?? 'amd64', 'node.kubernetes.io/windows-build': build },
    runtimeHandlers: handlers,
    ...(o.cpu ? { cpu: o.cpu } : {}),
  });
}

/** A Windows pod (spec.os windows) running `images`, one container each. */
export function mkWindowsPod(name: string, images: string[], o: PodOpts = {}): Pod {
  const p = mkPod(name, { ...o, spec: { os: { name: 'windows' }, ...o.spec } });
  const spec = p.spec as PodSpec;
  spec.containers = images.map((image, i) => ({ name: `c${i}`, image, resources: spec.containers[0]?.resources ?? {} }));
  return p;
}
