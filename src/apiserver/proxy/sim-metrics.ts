// Usage figures for pods on simulated nodes (`tandem sim`), which run no processes and have no agent
// to ask: a running pod uses what its annotations say, `tandem.io/sim-cpu` (a CPU quantity such as
// `250m`) and `tandem.io/sim-memory` (a memory quantity such as `64Mi`), split evenly over its
// containers, and nothing when they are absent. This is simulation: it lets metrics.k8s.io, `kubectl
// top` and the HorizontalPodAutoscaler be exercised on sim fleets with chosen loads.

import type { AnyObject } from '../../api/object.js';
import { isQuantity, quantityValue } from '../../base/quantity.js';

/** what both annotations start with: a stored pod without it uses nothing */
export const SIM_ANNOTATION_PREFIX = 'tandem.io/sim-';
const ANNOTATION_SIM_CPU = `${SIM_ANNOTATION_PREFIX}cpu`;
const ANNOTATION_SIM_MEMORY = `${SIM_ANNOTATION_PREFIX}memory`;

interface Usage {
  usageNanoCores?: number;
  workingSetBytes?: number;
  time?: string;
}
interface PodStats {
  podRef: { name: string; namespace: string };
  containers: { name: string; cpu: Usage; memory: Usage }[];
}
interface SimSummary {
  node: { cpu: Usage; memory: Usage };
  pods: PodStats[];
}

const amount = (v: string | undefined): number => (v !== undefined && isQuantity(v.trim()) ? Math.max(0, quantityValue(v.trim())) : 0);

/** The summary a simulated node would report for the running pods bound to it, at `now`. */
export function simulatedSummary(nodeName: string, pods: readonly AnyObject[], now: number): SimSummary {
  const time = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
  const out: SimSummary = { node: { cpu: { usageNanoCores: 0, time }, memory: { workingSetBytes: 0, time } }, pods: [] };
  for (const p of pods) {
    const spec = (p['spec'] ?? {}) as { nodeName?: string; containers?: { name?: string }[] };
    const phase = ((p['status'] ?? {}) as { phase?: string }).phase;
    if (spec.nodeName !== nodeName || phase !== 'Running' || p.metadata.deletionTimestamp) continue;
    const ann = p.metadata.annotations ?? {};
    const cpu = amount(ann[ANNOTATION_SIM_CPU]) * 1e9,
      mem = amount(ann[ANNOTATION_SIM_MEMORY]);
    const names = (spec.containers ?? []).map((c) => c.name ?? '');
    const n = Math.max(1, names.length);
    out.pods.push({
      podRef: { name: p.metadata.name ?? '', namespace: p.metadata.namespace ?? '' },
      containers: names.map((name) => ({
        name,
        cpu: { usageNanoCores: cpu / n, time },
        memory: { workingSetBytes: mem / n, time },
      })),
    });
    out.node.cpu.usageNanoCores = (out.node.cpu.usageNanoCores ?? 0) + cpu;
    out.node.memory.workingSetBytes = (out.node.memory.workingSetBytes ?? 0) + mem;
  }
  return out;
}
