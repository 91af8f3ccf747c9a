// From the metrics' proposal to the replica count the HPA sets, as upstream normalises it: a
// stabilization window over recent recommendations (scale-down by default 300 s; both directions
// with spec.behavior), rate limits (without behavior: at most max(2 x current, 4); with behavior:
// the Pods/Percent policies over their periods, chosen by selectPolicy), and min/max. The history
// (recommendations, scale events) is per HPA and lives in the controller; this file is pure over it.

import type { HorizontalPodAutoscalerBehavior, HPAScalingRules } from '../../api/gen/types.js';

interface Recommendation {
  replicas: number;
  at: number;
}
interface ScaleEvent {
  change: number;
  at: number;
}

/** What the controller remembers about one HPA between syncs. */
export interface HpaHistory {
  recommendations: Recommendation[];
  scaleUps: ScaleEvent[];
  scaleDowns: ScaleEvent[];
}

export const newHistory = (): HpaHistory => ({ recommendations: [], scaleUps: [], scaleDowns: [] });

export interface Condition {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface Normalized {
  replicas: number;
  ableToScale: Condition;
  scalingLimited: Condition;
}

interface Args {
  current: number;
  desired: number;
  min: number;
  max: number;
  now: number;
  /** the controller's --horizontal-pod-autoscaler-downscale-stabilization */
  downscaleWindowMs: number;
}

const READY: Condition = { status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const WITHIN: Omit<Condition, 'status'> = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
const TOO_MANY = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
const TOO_FEW = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
const UP_LIMIT = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
const DOWN_LIMIT = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };

/** Records `replicas` as of `now`, overwriting one sample older than `keepMs` rather than growing. */
function record(h: HpaHistory, replicas: number, now: number, oldIndex: number): void {
  if (oldIndex >= 0) h.recommendations[oldIndex] = { replicas, at: now };
  else h.recommendations.push({ replicas, at: now });
}

function limited(value: number, stabilized: number, c: Omit<Condition, 'status'>): Normalized['scalingLimited'] {
  return { status: value === stabilized ? 'False' : 'True', ...c };
}

/** Without spec.behavior: scale-down stabilization only, scale-up at most to max(2 x current, 4). */
function normalizePlain(h: HpaHistory, a: Args): Normalized {
  let highest = a.desired;
  let old = -1;
  const cutoff = a.now - a.downscaleWindowMs;
  h.recommendations.forEach((r, i) => {
    if (r.at < cutoff) old = i;
    else if (r.replicas > highest) highest = r.replicas;
  });
  record(h, a.desired, a.now, old);
  const ableToScale =
    highest !== a.desired
      ? {
          status: 'True' as const,
          reason: 'ScaleDownStabilized',
          message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
        }
      : READY;
  const upLimit = Math.max(2 * a.current, 4);
  const [maxAllowed, maxWhy] = a.max > upLimit ? [upLimit, UP_LIMIT] : [a.max, TOO_MANY];
  let out = highest,
    why = WITHIN;
  if (highest < a.min) [out, why] = [a.min, TOO_FEW];
  else if (highest > maxAllowed) [out, why] = [maxAllowed, maxWhy];
  return { replicas: out, ableToScale, scalingLimited: limited(out, highest, why) };
}

/** Replicas added (or removed) by the events within the last `periodSeconds`. */
const changedWithin = (events: readonly ScaleEvent[], periodSeconds: number, now: number) =>
  events.filter((e) => e.at > now - periodSeconds * 1000).reduce((n, e) => n + e.change, 0);

function rateLimit(h: HpaHistory, rules: HPAScalingRules, current: number, now: number, up: boolean): number {
  const select = rules.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  // for a scale-up the biggest change is the highest limit; for a scale-down it is the lowest
  const pickHigh = (select === 'Max') === up;
  let result = pickHigh ? -Infinity : Infinity;
  for (const p of rules.policies ?? []) {
    const start = current - changedWithin(h.scaleUps, p.periodSeconds, now) + changedWithin(h.scaleDowns, p.periodSeconds, now);
    let proposed: number;
    if (p.type === 'Pods') proposed = up ? start + p.value : start - p.value;
    else proposed = up ? Math.ceil(start * (1 + p.value / 100)) : Math.trunc(start * (1 - p.value / 100));
    result = pickHigh ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

function normalizeWithBehavior(h: HpaHistory, a: Args, b: HorizontalPodAutoscalerBehavior): Normalized {
  const upWindow = (b.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000;
  const downWindow =
    b.scaleDown?.stabilizationWindowSeconds !== undefined ? b.scaleDown.stabilizationWindowSeconds * 1000 : a.downscaleWindowMs;
  let upRec = a.desired,
    downRec = a.desired,
    old = -1;
  h.recommendations.forEach((r, i) => {
    if (r.at > a.now - upWindow) upRec = Math.min(upRec, r.replicas);
    if (r.at > a.now - downWindow) downRec = Math.max(downRec, r.replicas);
    if (r.at < a.now - upWindow && r.at < a.now - downWindow) old = i;
  });
  const stabilized = Math.min(Math.max(a.current, upRec), downRec);
  record(h, a.desired, a.now, old);
  let ableToScale = READY;
  if (stabilized !== a.desired) {
    ableToScale =
      a.desired >= a.current
        ? {
            status: 'True',
            reason: 'ScaleUpStabilized',
            message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
          }
        : {
            status: 'True',
            reason: 'ScaleDownStabilized',
            message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
          };
  }
  let out = stabilized,
    why = WITHIN;
  if (stabilized > a.current) {
    const limit = Math.max(a.current, rateLimit(h, b.scaleUp ?? {}, a.current, a.now, true));
    const [allowed, w] = a.max > limit ? [limit, UP_LIMIT] : [a.max, TOO_MANY];
    if (stabilized > allowed) [out, why] = [allowed, w];
  } else if (stabilized < a.current) {
    const limit = Math.min(a.current, rateLimit(h, b.scaleDown ?? {}, a.current, a.now, false));
    const [allowed, w] = a.min < limit ? [limit, DOWN_LIMIT] : [a.min, TOO_FEW];
    if (stabilized < allowed) [out, why] = [allowed, w];
  }
  return { replicas: out, ableToScale, scalingLimited: limited(out, stabilized, why) };
}

export function normalizeReplicas(h: HpaHistory, a: Args, behavior: HorizontalPodAutoscalerBehavior | undefined): Normalized {
  return behavior ? normalizeWithBehavior(h, a, behavior) : normalizePlain(h, a);
}

/** Remembers a rescale for the behavior rate limits; events older than every policy period are dropped. */
export function recordScaleEvent(
  h: HpaHistory,
  behavior: HorizontalPodAutoscalerBehavior | undefined,
  from: number,
  to: number,
  now: number,
): void {
  if (!behavior || from === to) return;
  const longest = (r: HPAScalingRules | undefined) => Math.max(0, ...(r?.policies ?? []).map((p) => p.periodSeconds)) * 1000;
  const up = to > from;
  const list = up ? h.scaleUps : h.scaleDowns;
  const keep = longest(up ? behavior.scaleUp : behavior.scaleDown);
  const fresh = list.filter((e) => e.at > now - keep);
  fresh.push({ change: Math.abs(to - from), at: now });
  if (up) h.scaleUps = fresh;
  else h.scaleDowns = fresh;
}
