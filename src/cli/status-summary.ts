// What `tandem status` says about a running cluster, from its Nodes and Pods: nodes and their
// readiness (simulated ones counted apart), pods by phase, and what is wrong, in a few lines.

import type { ContainerStatus, Node, Pod } from '../api/gen/types.js';
import { LABEL_SIMULATED } from '../api/well-known.js';

interface NodeCounts {
  total: number;
  ready: number;
  notReady: number;
}

export interface ClusterSummary {
  nodes: NodeCounts;
  /** nodes of `tandem sim` (label tandem.io/simulated): no host behind them */
  simulatedNodes: NodeCounts;
  /** phase → number of pods, phases in lifecycle order */
  pods: Record<string, number>;
  /** one line per thing that is wrong, most telling first */
  problems: string[];
}

/** Waiting reasons that mean a container cannot run until someone changes something. */
const STUCK_REASONS = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerError',
  'CreateContainerConfigError',
  'RunContainerError',
]);

const PHASES = ['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown'];

const isSimulated = (n: Node) => n.metadata?.labels?.[LABEL_SIMULATED] === 'true';
const readyCondition = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready');
const podName = (p: Pod) => `${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? '?'}`;
/** Messages can be long (a scheduler's per-node reasons): a status line keeps their start. */
const clip = (s: string, max = 160) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function countNodes(nodes: Node[]): NodeCounts {
  const ready = nodes.filter((n) => readyCondition(n)?.status === 'True').length;
  return { total: nodes.length, ready, notReady: nodes.length - ready };
}

function nodeProblems(nodes: Node[]): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    const c = readyCondition(n);
    if (c?.status === 'True') continue;
    const why = c ? [c.reason, c.message].filter(Boolean).join(': ') : 'it has not reported a Ready condition yet';
    out.push(`node ${n.metadata?.name ?? '?'}${isSimulated(n) ? ' (simulated)' : ''} NotReady: ${clip(why || 'no reason given')}`);
  }
  return out;
}

function stuckContainer(p: Pod): { status: ContainerStatus; reason: string } | undefined {
  const all = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  for (const s of all) {
    const reason = s.state?.waiting?.reason;
    if (reason && STUCK_REASONS.has(reason)) return { status: s, reason };
  }
  return undefined;
}

function podProblem(p: Pod): string | undefined {
  if (p.metadata?.deletionTimestamp) return undefined;
  const stuck = stuckContainer(p);
  if (stuck) {
    const { status: s, reason } = stuck;
    const last = s.lastState?.terminated;
    const detail =
      reason === 'CrashLoopBackOff'
        ? `restarted ${s.restartCount} times${last ? `, last exit ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : ''}`
        : (s.state?.waiting?.message ?? '');
    return `pod ${podName(p)} container ${s.name} ${reason}${detail ? `: ${clip(detail)}` : ''}`;
  }
  if (p.status?.phase !== 'Pending') return undefined;
  const scheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (!p.spec?.nodeName && scheduled?.status === 'False')
    return `pod ${podName(p)} Pending: ${clip(scheduled.message ?? scheduled.reason ?? 'not scheduled')}`;
  return undefined;
}

export function summarize(nodes: Node[], pods: Pod[], maxProblems = 8): ClusterSummary {
  const counts: Record<string, number> = {};
  for (const p of pods) {
    const phase = p.status?.phase ?? 'Pending';
    counts[phase] = (counts[phase] ?? 0) + 1;
  }
  const byPhase: Record<string, number> = {};
  for (const ph of [...PHASES, ...Object.keys(counts).filter((k) => !PHASES.includes(k))]) if (counts[ph]) byPhase[ph] = counts[ph];
  const all = [...nodeProblems(nodes), ...pods.map(podProblem).filter((x): x is string => x !== undefined)];
  const problems = all.length > maxProblems ? [...all.slice(0, maxProblems - 1), `… and ${all.length - maxProblems + 1} more`] : all;
  return {
    nodes: countNodes(nodes.filter((n) => !isSimulated(n))),
    simulatedNodes: countNodes(nodes.filter(isSimulated)),
    pods: byPhase,
    problems,
  };
}

/** The summary's lines: nodes, pods, then the problems (or that there are none). */
export function renderSummary(s: ClusterSummary): string[] {
  const nodeLine = (c: NodeCounts) => `${c.total} (${c.ready} Ready${c.notReady ? `, ${c.notReady} NotReady` : ''})`;
  const nodes = [
    ...(s.nodes.total || !s.simulatedNodes.total ? [nodeLine(s.nodes)] : []),
    ...(s.simulatedNodes.total ? [`simulated ${nodeLine(s.simulatedNodes)}`] : []),
  ];
  const phases = Object.entries(s.pods).map(([ph, n]) => `${n} ${ph}`);
  return [
    `nodes:         ${nodes.join('; ')}${s.nodes.total + s.simulatedNodes.total === 0 ? ': pods cannot run until a node joins' : ''}`,
    `pods:          ${phases.length ? phases.join(', ') : 'none'}`,
    ...(s.problems.length ? ['problems:', ...s.problems.map((p) => `  ${p}`)] : ['problems:      none']),
  ];
}
