// How many replicas one resource metric asks for, as upstream's replica calculator decides: usage
// over requests of the pods the target selects, ignoring deleted and failed pods, treating pending,
// not-yet-ready and metric-less pods conservatively (they count as 0% on a scale-up and as 100% of
// their request on a scale-down, and may never flip the direction), and keeping the current count
// when the ratio is within the tolerance.

import type { Pod } from '../../api/gen/types.js';
import { toMilli } from '../../base/quantity.js';

/** A pod's usage of one resource, in milli-units, with when and over which window it was measured. */
export interface PodMetric {
  milli: number;
  timestampMs: number;
  windowMs: number;
}

export interface CalcOptions {
  /** upstream's --horizontal-pod-autoscaler-tolerance */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min) */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s) */
  initialReadinessDelayMs: number;
}

export const DEFAULT_CALC_OPTIONS: CalcOptions = { tolerance: 0.1, cpuInitializationPeriodMs: 300_000, initialReadinessDelayMs: 30_000 };

export interface Proposal {
  replicas: number;
  /** average utilization in percent of requests (Utilization targets) */
  utilization?: number;
  /** average usage per pod in milli-units */
  averageMilli: number;
}

export class MetricError extends Error {}

interface Groups {
  ready: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

function groupPods(pods: readonly Pod[], metrics: ReadonlyMap<string, PodMetric>, resource: string, now: number, o: CalcOptions): Groups {
  const g: Groups = { ready: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const p of pods) {
    const name = p.metadata.name ?? '';
    if (p.metadata.deletionTimestamp || p.status?.phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (p.status?.phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const m = metrics.get(name);
    if (!m) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const cond = (p.status?.conditions ?? []).find((c) => c.type === 'Ready');
      const start = p.status?.startTime ? Date.parse(p.status.startTime) : undefined;
      let unready: boolean;
      if (!cond || start === undefined) unready = true;
      else {
        const transition = Date.parse(cond.lastTransitionTime ?? '') || 0;
        // early in a pod's life its CPU is not representative: only count samples taken a full window after it became ready
        if (start + o.cpuInitializationPeriodMs > now) unready = cond.status === 'False' || m.timestampMs < transition + m.windowMs;
        else unready = cond.status === 'False' && start + o.initialReadinessDelayMs > transition;
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.ready++;
  }
  return g;
}

/** Each pod's request of the resource (over `container` only when given), in milli-units. */
function requestsOf(pods: readonly Pod[], resource: string, container: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of pods) {
    let sum = 0;
    for (const c of p.spec?.containers ?? []) {
      if (container !== undefined && c.name !== container) continue;
      const q = c.resources?.requests?.[resource];
      if (q === undefined) throw new MetricError(`missing request for ${resource} in container ${c.name} of Pod ${p.metadata.name ?? ''}`);
      sum += toMilli(q);
    }
    out.set(p.metadata.name ?? '', sum);
  }
  return out;
}

function utilizationRatio(metrics: ReadonlyMap<string, PodMetric>, requests: ReadonlyMap<string, number>, target: number) {
  let used = 0,
    requested = 0,
    n = 0;
  for (const [name, m] of metrics) {
    const r = requests.get(name);
    if (r === undefined) continue;
    used += m.milli;
    requested += r;
    n++;
  }
  if (requested === 0) throw new MetricError('no metrics returned matched known pods');
  const utilization = Math.trunc((used * 100) / requested);
  return { ratio: utilization / target, utilization, averageMilli: Math.trunc(used / n) };
}

/**
 * Replicas for a Utilization target (percent of requests) or, with `averageMilli` set instead, an
 * AverageValue target, from the pods the target selects and their metrics (by pod name).
 */
export function resourceReplicas(
  current: number,
  target: { utilization: number } | { averageMilli: number },
  resource: string,
  container: string | undefined,
  pods: readonly Pod[],
  metricsIn: ReadonlyMap<string, PodMetric>,
  now: number,
  o: CalcOptions = DEFAULT_CALC_OPTIONS,
): Proposal {
  if (pods.length === 0) throw new MetricError('no pods returned by selector while calculating replica count');
  const metrics = new Map(metricsIn);
  const g = groupPods(pods, metrics, resource, now, o);
  for (const n of [...g.ignored, ...g.unready]) metrics.delete(n);
  if (metrics.size === 0) throw new MetricError('did not receive metrics for targeted pods (pods might be unready)');
  const byValue = 'averageMilli' in target;
  const requests = byValue ? undefined : requestsOf(pods, resource, container);
  const measure = (ms: ReadonlyMap<string, PodMetric>) => {
    if (requests) return utilizationRatio(ms, requests, (target as { utilization: number }).utilization);
    let used = 0;
    for (const m of ms.values()) used += m.milli;
    const avg = used / ms.size;
    return { ratio: avg / (target as { averageMilli: number }).averageMilli, utilization: undefined, averageMilli: Math.trunc(avg) };
  };
  const first = measure(metrics);
  const result = (replicas: number): Proposal => ({
    replicas,
    averageMilli: first.averageMilli,
    ...(first.utilization !== undefined ? { utilization: first.utilization } : {}),
  });
  const scaleUpWithUnready = g.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= o.tolerance) return result(current);
    return result(Math.ceil(first.ratio * g.ready));
  }
  const sample = [...metrics.values()][0] ?? { timestampMs: now, windowMs: 0 };
  const as = (milli: number): PodMetric => ({ milli, timestampMs: sample.timestampMs, windowMs: sample.windowMs });
  if (g.missing.size > 0) {
    for (const n of g.missing) {
      if (first.ratio < 1) {
        const fallback = requests
          ? ((requests.get(n) ?? 0) * Math.max(100, (target as { utilization: number }).utilization)) / 100
          : (target as { averageMilli: number }).averageMilli;
        metrics.set(n, as(fallback));
      } else if (first.ratio > 1) metrics.set(n, as(0));
    }
  }
  if (scaleUpWithUnready) for (const n of g.unready) metrics.set(n, as(0));
  const again = measure(metrics).ratio;
  if (Math.abs(1 - again) <= o.tolerance || (first.ratio < 1 && again > 1) || (first.ratio > 1 && again < 1)) return result(current);
  const replicas = Math.ceil(again * metrics.size);
  if ((again < 1 && replicas > current) || (again > 1 && replicas < current)) return result(current);
  return result(replicas);
}
