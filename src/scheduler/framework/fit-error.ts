// The FailedScheduling message: counts of reasons over the nodes, sorted as strings, e.g.
// `0/30 nodes are available: 10 Insufficient cpu, 20 node(s) didn't match Pod's node affinity/selector.`
// then the plugins' plain explanation (Tandem's: what stops the pod and what would fix it), then the
// preemption summary. The upstream summary stays the first sentence, so tools and people that read
// kube-scheduler's messages read these alike.

import type { Diagnosis } from './interfaces.js';

function reasonHistogram(d: Diagnosis): string[] {
  const counts = new Map<string, number>();
  for (const s of d.nodeToStatus.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort();
}

/** No preemption here: the summary upstream prints when preemption cannot help. */
function preemptionMessage(numAllNodes: number): string {
  return `preemption: 0/${numAllNodes} nodes are available: ${numAllNodes} Preemption is not helpful for scheduling.`;
}

const sentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);

export function fitErrorMessage(numAllNodes: number, d: Diagnosis, postFilterMsg?: string, explanation?: string): string {
  const head = `0/${numAllNodes} nodes are available`;
  let msg: string;
  if (d.preFilterMsg) msg = `${head}: ${d.preFilterMsg}.`;
  else {
    const parts = reasonHistogram(d);
    msg = parts.length ? `${head}: ${parts.join(', ')}.` : `${head}.`;
  }
  if (explanation) msg = `${msg} ${sentence(explanation)}`;
  const post = postFilterMsg ?? preemptionMessage(numAllNodes);
  return post ? `${msg} ${post}` : msg;
}
