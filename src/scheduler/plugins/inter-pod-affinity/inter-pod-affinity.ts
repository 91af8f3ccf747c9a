// InterPodAffinity (required terms): the pod's anti-affinity terms must not find a matching pod in
// the node's topology domain; existing pods' anti-affinity terms must not match the pod; the pod's
// affinity terms must each find a matching pod in the node's domain (or, for the first pod of a
// group that matches its own terms, nowhere in the cluster yet).

import type { FilterPlugin, PreFilterPlugin } from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { podAffinityTermMatches, type AffinityTerm, type PodInfo } from '../../framework/pod-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import { fixed, SKIP } from '../../framework/status.js';

export const NAME = 'InterPodAffinity';
export const REASON_EXISTING_ANTI = "node(s) didn't satisfy existing pods anti-affinity rules";
export const REASON_ANTI = "node(s) didn't match pod anti-affinity rules";
export const REASON_AFFINITY = "node(s) didn't match pod affinity rules";
const REJECT_EXISTING = fixed('Unschedulable', REASON_EXISTING_ANTI);
const REJECT_ANTI = fixed('Unschedulable', REASON_ANTI);
const REJECT_AFF = fixed('UnschedulableAndUnresolvable', REASON_AFFINITY);
const KEY = `${NAME}/state`;

/** topologyKey -> value -> count */
type TopoCounts = Map<string, Map<string, number>>;
interface State {
  existingAnti: TopoCounts;
  anti: TopoCounts;
  affinity: TopoCounts;
  affinityEmpty: boolean;
  selfMatch: boolean;
}

function bump(c: TopoCounts, key: string, value: string): void {
  let m = c.get(key);
  if (!m) {
    m = new Map();
    c.set(key, m);
  }
  m.set(value, (m.get(value) ?? 0) + 1);
}
const has = (c: TopoCounts, key: string, value: string | undefined) => value !== undefined && (c.get(key)?.get(value) ?? 0) > 0;

export function computeState(pod: PodInfo, snap: Snapshot): State {
  const existingAnti: TopoCounts = new Map();
  for (const node of snap.nodesWithRequiredAntiAffinityPods()) {
    for (const ex of node.pods.values()) {
      for (const t of ex.requiredAntiAffinity) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined && podAffinityTermMatches(t, pod)) bump(existingAnti, t.topologyKey, v);
      }
    }
  }
  const anti: TopoCounts = new Map();
  const affinity: TopoCounts = new Map();
  if (pod.requiredAntiAffinity.length || pod.requiredAffinity.length) {
    for (const node of snap.nodes()) {
      for (const ex of node.pods.values()) {
        for (const t of pod.requiredAntiAffinity) {
          const v = node.labels[t.topologyKey];
          if (v !== undefined && podAffinityTermMatches(t, ex)) bump(anti, t.topologyKey, v);
        }
        if (pod.requiredAffinity.length && pod.requiredAffinity.every((t) => podAffinityTermMatches(t, ex))) {
          for (const t of pod.requiredAffinity) {
            const v = node.labels[t.topologyKey];
            if (v !== undefined) bump(affinity, t.topologyKey, v);
          }
        }
      }
    }
  }
  return {
    existingAnti,
    anti,
    affinity,
    affinityEmpty: affinity.size === 0,
    selfMatch: pod.requiredAffinity.every((t: AffinityTerm) => podAffinityTermMatches(t, pod)),
  };
}

export function create(): PreFilterPlugin & FilterPlugin {
  return {
    name: NAME,
    preFilter(state, pod, snap) {
      const st = computeState(pod, snap);
      if (st.existingAnti.size === 0 && pod.requiredAntiAffinity.length === 0 && pod.requiredAffinity.length === 0) return SKIP;
      state.write<State>(KEY, st);
      return undefined;
    },
    filter(state, pod, node: NodeInfo) {
      const st = state.read<State>(KEY);
      if (!st) return undefined;
      for (const [k, m] of st.existingAnti) {
        const v = node.labels[k];
        if (v !== undefined && (m.get(v) ?? 0) > 0) return REJECT_EXISTING;
      }
      for (const t of pod.requiredAntiAffinity) if (has(st.anti, t.topologyKey, node.labels[t.topologyKey])) return REJECT_ANTI;
      if (pod.requiredAffinity.length) {
        if (st.affinityEmpty && st.selfMatch) {
          for (const t of pod.requiredAffinity) if (node.labels[t.topologyKey] === undefined) return REJECT_AFF;
        } else {
          for (const t of pod.requiredAffinity) if (!has(st.affinity, t.topologyKey, node.labels[t.topologyKey])) return REJECT_AFF;
        }
      }
      return undefined;
    },
  };
}
