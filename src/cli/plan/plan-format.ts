// How `tandem plan upgrade` prints a plan: `-o table`, kubectl-style columns (one row per workload
// and outcome) and a summary line; `-o json`, a stable document with the same facts (every key
// always present, null where there is nothing, lists sorted) that scripts and tests compare.
// The document's shape is described in docs/windows.md ("Planning an upgrade").

import { HANDLER_WINDOWS_HYPERV } from '../../api/well-known.js';
import type { IsolationBuilds, PlanOutcome } from './plan-pod.js';
import type { UpgradePlan, WorkloadPlan } from './plan-upgrade.js';

interface Bucket {
  workloads: number;
  pods: number;
}

const OUTCOMES: readonly PlanOutcome[] = ['process', 'hyperv', 'unschedulable', 'unknown'];

function buckets(plan: UpgradePlan): Record<PlanOutcome, Bucket> {
  const out = {} as Record<PlanOutcome, Bucket>;
  for (const o of OUTCOMES) {
    const rows = plan.workloads.filter((w) => w.outcome === o);
    out[o] = {
      workloads: new Set(rows.map((w) => `${w.namespace}/${w.kind}/${w.name}`)).size,
      pods: rows.reduce((n, w) => n + w.pods.length, 0),
    };
  }
  return out;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const workloadRef = (w: WorkloadPlan) => `${w.namespace}/${w.kind}/${w.name}`;

function overheadText(plan: UpgradePlan): string {
  const o = plan.overhead;
  if (o.runtimeClass === undefined) return `no RuntimeClass with handler ${HANDLER_WINDOWS_HYPERV}, so no overhead is known`;
  if (o.cpu === '0' && o.memory === '0') return `RuntimeClass ${o.runtimeClass} declares no overhead`;
  return `+${o.cpu} CPU, +${o.memory} memory overhead`;
}

/** The one-line answer: how many workloads (pods) keep process isolation, move to Hyper-V, cannot run, are unknown. */
export function summaryLine(plan: UpgradePlan): string {
  const b = buckets(plan);
  const head = `${plural(plan.nodes.length, 'node')} to ${plan.toBuild}`;
  const unaffected = plan.unaffectedPods ? `${plural(plan.unaffectedPods, 'pod')} unaffected (Linux, HostProcess or native process)` : '';
  if (plan.workloads.length === 0) return `${head}: no Windows workload runs on them${unaffected ? ` (${unaffected})` : ''}`;
  const parts: string[] = [];
  const count = (x: Bucket) => `${parts.length === 0 ? plural(x.workloads, 'workload') : x.workloads} (${plural(x.pods, 'pod')})`;
  const rows = (o: PlanOutcome) => plan.workloads.filter((w) => w.outcome === o);
  // the verb agrees with the workloads: "1 workload (2 pods) keeps", "2 (3 pods) keep"
  const verb = (x: Bucket, one: string, many: string) => (x.workloads === 1 ? one : many);
  if (b.process.workloads) {
    const kept = rows('process').every((w) => w.now.every((n) => n.isolation === 'process'));
    const v = kept ? `${verb(b.process, 'keeps', 'keep')} process isolation` : `${verb(b.process, 'runs', 'run')} process-isolated`;
    parts.push(`${count(b.process)} ${v}`);
  }
  if (b.hyperv.workloads) {
    const moving = rows('hyperv').every((w) => w.movingToHyperV === w.pods.length);
    const v = moving ? `${verb(b.hyperv, 'moves', 'move')} to Hyper-V` : `${verb(b.hyperv, 'runs', 'run')} Hyper-V-isolated`;
    parts.push(`${count(b.hyperv)} ${v}${plan.overhead.pods ? ` (${overheadText(plan)})` : ''}`);
  }
  if (b.unschedulable.workloads) {
    const names = [...new Set(rows('unschedulable').map(workloadRef))];
    const more = names.length > 3 ? ` and ${names.length - 3} more` : '';
    parts.push(`${count(b.unschedulable)} cannot run: ${names.slice(0, 3).join(', ')}${more}`);
  }
  if (b.unknown.workloads) parts.push(`${count(b.unknown)} unknown: image facts could not be read`);
  if (unaffected) parts.push(unaffected);
  return `${head}: ${parts.join(', ')}`;
}

const isoText = (x: IsolationBuilds) => (x.builds.length ? `${x.isolation}/${x.builds.join('+')}` : x.isolation);

function afterText(w: WorkloadPlan): string {
  if (w.outcome === 'unschedulable') return 'cannot run';
  if (w.outcome === 'unknown') return 'unknown';
  return w.after ? isoText(w.after) : w.outcome;
}

function nodesText(nodes: readonly string[], max = 3): string {
  if (nodes.length === 0) return '<none>';
  return nodes.length <= max ? nodes.join(',') : `${nodes.slice(0, max).join(',')},+${nodes.length - max}`;
}

function whyText(w: WorkloadPlan): string {
  if (w.fixes.length === 0) return w.reason;
  return `${w.reason}; ${w.outcome === 'hyperv' ? 'to keep process isolation' : 'fix'}: ${w.fixes.join('; or ')}`;
}

/** Columns padded like kubectl's printer (three spaces apart); the last column is free text. */
function columns(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3))).join(''));
}

function formatTable(plan: UpgradePlan): string {
  const lines: string[] = [];
  if (plan.workloads.length) {
    const header = ['NAMESPACE', 'WORKLOAD', 'PODS', 'NOW', 'AFTER', 'NODES', 'WHY'];
    const rows = plan.workloads.map((w) => [
      w.namespace,
      `${w.kind}/${w.name}`,
      String(w.pods.length),
      w.now.map(isoText).join(','),
      afterText(w),
      nodesText(w.nodes),
      whyText(w),
    ]);
    lines.push(...columns([header, ...rows]), '');
  }
  lines.push(summaryLine(plan));
  const o = plan.overhead;
  if (o.pods && o.runtimeClass && (o.cpu !== '0' || o.memory !== '0'))
    lines.push(
      `Hyper-V overhead: ${o.perPod.cpu} CPU, ${o.perPod.memory} memory per pod (RuntimeClass ${o.runtimeClass}), for ${plural(o.pods, 'pod')}`,
    );
  const failed = plan.images.filter((i) => i.error);
  if (failed.length) {
    lines.push('images whose platforms could not be read:');
    for (const i of failed) lines.push(`  ${i.image}: ${i.error?.message ?? ''} (${i.error?.reason ?? ''})`);
  }
  return `${lines.join('\n')}\n`;
}

/** The JSON document: every key present, in a fixed order. */
function planDocument(plan: UpgradePlan): unknown {
  const b = buckets(plan);
  return {
    toBuild: plan.toBuild,
    selector: plan.selector,
    fromImageIndex: plan.fromImageIndex,
    nodes: plan.nodes.map((n) => ({ name: n.name, build: n.build, architecture: n.architecture, hyperv: n.hyperv })),
    workloads: plan.workloads.map((w) => ({
      namespace: w.namespace,
      kind: w.kind,
      name: w.name,
      outcome: w.outcome,
      pods: w.pods,
      nodes: w.nodes,
      now: w.now.map((n) => ({ isolation: n.isolation, builds: n.builds })),
      after: w.after ? { isolation: w.after.isolation, builds: w.after.builds } : null,
      reason: w.reason,
      fixes: w.fixes,
      images: w.images,
      movingToHyperV: w.movingToHyperV,
      overhead: w.overhead ? { cpu: w.overhead.cpu, memory: w.overhead.memory } : null,
    })),
    images: plan.images.map((i) => ({
      image: i.image,
      registry: i.registry,
      digest: i.digest ?? null,
      windowsBuilds: i.windowsBuilds,
      error: i.error ? { reason: i.error.reason, message: i.error.message } : null,
    })),
    overhead: {
      runtimeClass: plan.overhead.runtimeClass ?? null,
      perPod: { cpu: plan.overhead.perPod.cpu, memory: plan.overhead.perPod.memory },
      pods: plan.overhead.pods,
      cpu: plan.overhead.cpu,
      memory: plan.overhead.memory,
    },
    summary: {
      process: b.process,
      hyperv: b.hyperv,
      unschedulable: b.unschedulable,
      unknown: b.unknown,
      unaffectedPods: plan.unaffectedPods,
      text: summaryLine(plan),
    },
  };
}

export type OutputFormat = 'table' | 'json';

export const formatPlan = (plan: UpgradePlan, format: OutputFormat): string =>
  format === 'json' ? `${JSON.stringify(planDocument(plan), null, 2)}\n` : formatTable(plan);
