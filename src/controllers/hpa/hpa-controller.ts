// The HorizontalPodAutoscaler controller (upstream's horizontalpodautoscaling): every sync period
// each HPA reads its target's scale subresource (replicas and selector), computes a proposal per
// metric from metrics.k8s.io and the selected pods (replica-calc.ts), takes the largest, normalises
// it (normalize.ts: stabilization windows, rate limits, min/max), writes the scale when it changed,
// and records the outcome in status (replicas, current metrics, conditions) and in events.

import type {
  AutoscalingV2HorizontalPodAutoscaler as Hpa,
  AutoscalingV2HorizontalPodAutoscalerStatus as HpaStatus,
  HorizontalPodAutoscalerCondition,
  MetricSpec,
  MetricStatus,
  Pod,
  Scale,
} from '../../api/gen/types.js';
import { hpaKind } from '../../api/kinds/autoscaling/hpa.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { parseLabelSelector } from '../../base/label-selector.js';
import { formatQuantity, toMilli } from '../../base/quantity.js';
import { rfc3339 } from '../../base/time.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import type { HpaOptions } from './hpa-options.js';
import { newHistory, normalizeReplicas, recordScaleEvent, type Condition, type HpaHistory } from './normalize.js';
import { podMetrics } from './pod-metrics.js';
import { DEFAULT_CALC_OPTIONS, MetricError, resourceReplicas } from './replica-calc.js';
import { scaleTargetPath } from './scale-target.js';

const NAME = 'horizontalpodautoscaling';
const DEFAULT_SYNC_PERIOD_MS = 15_000;
const DEFAULT_DOWNSCALE_STABILIZATION_MS = 300_000;

type CondType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

interface MetricOutcome {
  replicas: number;
  name: string;
  status: MetricStatus;
}

export function startHpaController(deps: ControllerDeps & HpaOptions): RunningController {
  const { client } = deps;
  const now = deps.now ?? Date.now;
  const syncPeriod = deps.syncPeriodMs ?? DEFAULT_SYNC_PERIOD_MS;
  const downscaleWindowMs = deps.downscaleStabilizationMs ?? DEFAULT_DOWNSCALE_STABILIZATION_MS;
  const hpas = deps.informers.for(hpaKind);
  const pods = deps.informers.for(podKind);
  const queue = createWorkQueue<string>({ name: 'horizontalpodautoscaler' });
  const histories = new Map<string, HpaHistory>();
  const log = deps.log.child(NAME);

  hpas.addHandlers({
    onAdd: (h) => queue.add(objectKey(h)),
    // status writes come back as updates: only a spec change is worth an early sync
    onUpdate: (o, h) => {
      if (o.metadata.generation !== h.metadata.generation) queue.add(objectKey(h));
    },
    onDelete: (h) => histories.delete(objectKey(h)),
  });

  /** One metric's proposal; Resource and ContainerResource are served (metrics.k8s.io), custom and external metrics are not. */
  async function metricReplicas(hpa: Hpa, m: MetricSpec, current: number, selector: string, selected: Pod[]): Promise<MetricOutcome> {
    const ns = hpa.metadata.namespace ?? '';
    const src = m.type === 'Resource' ? m.resource : m.type === 'ContainerResource' ? m.containerResource : undefined;
    if (!src)
      throw new MetricError(`the ${m.type} metric source needs the custom or external metrics API, which this cluster does not serve`);
    const container = m.type === 'ContainerResource' ? m.containerResource?.container : undefined;
    const metrics = await podMetrics(client, ns, selector, src.name, container);
    const t = src.target;
    const byUtil = t.averageUtilization !== undefined;
    const target = byUtil ? { utilization: t.averageUtilization ?? 0 } : { averageMilli: Math.max(1, toMilli(t.averageValue ?? '1')) };
    const p = resourceReplicas(current, target, src.name, container, selected, metrics, now(), DEFAULT_CALC_OPTIONS);
    const currentValue = {
      averageValue: formatQuantity(`${p.averageMilli}m`),
      ...(p.utilization !== undefined ? { averageUtilization: p.utilization } : {}),
    };
    const kind = m.type === 'ContainerResource' ? 'container resource' : 'resource';
    const name = byUtil ? `${src.name} ${kind} utilization (percentage of request)` : `${src.name} ${kind}`;
    const status: MetricStatus =
      m.type === 'Resource'
        ? { type: 'Resource', resource: { name: src.name, current: currentValue } }
        : { type: 'ContainerResource', containerResource: { name: src.name, container: container ?? '', current: currentValue } };
    return { replicas: p.replicas, name, status };
  }

  async function sync(key: string): Promise<void> {
    const hpa = hpas.get(key);
    if (!hpa) return;
    try {
      await reconcile(key, hpa);
    } catch (e) {
      // as upstream, a failed reconcile waits for the next period rather than retrying at once:
      // what fails here (metrics, the scale) rarely heals in milliseconds, and events would flood
      log.debug('reconcile failed, next try in a sync period', { hpa: key, error: e instanceof Error ? e.message : String(e) });
    } finally {
      if (hpas.get(key)) queue.addAfter(key, syncPeriod);
    }
  }

  async function reconcile(key: string, hpa: Hpa): Promise<void> {
    const ns = hpa.metadata.namespace ?? '';
    const spec = hpa.spec;
    const old = hpa.status ?? { desiredReplicas: 0 };
    const conds = new Map<string, HorizontalPodAutoscalerCondition>((old.conditions ?? []).map((c) => [c.type, c]));
    const t = now();
    const set = (type: CondType, c: Condition) => {
      const prev = conds.get(type);
      const same = prev?.status === c.status;
      conds.set(type, {
        type,
        status: c.status,
        reason: c.reason,
        message: c.message,
        lastTransitionTime: same && prev?.lastTransitionTime ? prev.lastTransitionTime : rfc3339(t),
      });
    };
    const event = (type: 'Normal' | 'Warning', reason: string, message: string) => deps.recorder?.event(hpa, type, reason, message);
    const status = (s: Partial<HpaStatus>): HpaStatus => ({
      ...old,
      observedGeneration: hpa.metadata.generation ?? 0,
      desiredReplicas: old.desiredReplicas,
      ...s,
      conditions: [...conds.values()],
    });
    const write = async (s: HpaStatus) => {
      if (JSON.stringify(s) === JSON.stringify(hpa.status ?? {})) return;
      await client
        .resource(hpaKind)
        .namespace(ns)
        .updateStatus({ ...hpa, status: s });
    };
    if (!spec) return;

    const ref = spec.scaleTargetRef;
    const reference = `${ref.kind}/${ref.name}`;
    let scale: Scale;
    let path: string;
    try {
      path = await scaleTargetPath(client, ref, ns);
      scale = await client.request<Scale>('GET', path);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      set('AbleToScale', {
        status: 'False',
        reason: 'FailedGetScale',
        message: `the HPA controller was unable to get the target's current scale: ${msg}`,
      });
      event('Warning', 'FailedGetScale', msg);
      await write(status({ currentReplicas: old.currentReplicas ?? 0 }));
      return;
    }
    set('AbleToScale', {
      status: 'True',
      reason: 'SucceededGetScale',
      message: "the HPA controller was able to get the target's current scale",
    });
    const current = scale.spec?.replicas ?? 0;
    const min = spec.minReplicas ?? 1;
    let desired = 0;
    let reason = '';
    let metricStatuses: MetricStatus[] = old.currentMetrics ?? [];
    if (current === 0 && min !== 0) {
      set('ScalingActive', {
        status: 'False',
        reason: 'ScalingDisabled',
        message: 'scaling is disabled since the replica count of the target is zero',
      });
    } else if (current > spec.maxReplicas) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = spec.maxReplicas;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const selector = scale.status?.selector ?? '';
      if (selector === '') {
        set('ScalingActive', { status: 'False', reason: 'InvalidSelector', message: "the HPA target's scale is missing a selector" });
        event('Warning', 'SelectorRequired', 'selector is required');
        await write(status({ currentReplicas: current }));
        return;
      }
      const matcher = parseLabelSelector(selector);
      const selected = pods.byNamespace(ns).filter((p) => matcher.matches(p.metadata.labels));
      let best: MetricOutcome | undefined;
      const errors: string[] = [];
      metricStatuses = [];
      for (const m of spec.metrics ?? []) {
        try {
          const o = await metricReplicas(hpa, m, current, selector, selected);
          metricStatuses.push(o.status);
          if (!best || o.replicas > best.replicas) best = o;
        } catch (e) {
          const res = m.type === 'Resource' || m.type === 'ContainerResource';
          const name = (m.type === 'Resource' ? m.resource?.name : m.containerResource?.name) ?? '';
          const byUtil = (m.resource ?? m.containerResource)?.target.averageUtilization !== undefined;
          const raw = e instanceof Error ? e.message : String(e);
          // upstream's wording: the per-metric error, then the same inside the summary
          const msg = res ? `failed to get ${name} ${byUtil ? 'utilization' : 'usage'}: ${raw}` : raw;
          const why = res ? `Failed${m.type === 'Resource' ? '' : 'Container'}GetResourceMetric` : `FailedGet${m.type}Metric`;
          errors.push(res ? `failed to get ${name} ${m.type === 'Resource' ? '' : 'container '}resource metric value: ${msg}` : msg);
          metricStatuses.push({ type: '' });
          event('Warning', why, msg);
          set('ScalingActive', { status: 'False', reason: why, message: `the HPA was unable to compute the replica count: ${msg}` });
        }
      }
      if (!best) {
        const msg = `invalid metrics (${errors.length} invalid out of ${(spec.metrics ?? []).length}), first error is: ${errors[0] ?? 'no metrics'}`;
        event('Warning', 'FailedComputeMetricsReplicas', msg);
        const s = status({ currentReplicas: current });
        delete s.currentMetrics;
        await write(s);
        throw new Error(`failed to compute desired number of replicas based on listed metrics for ${reference}: ${msg}`);
      }
      if (errors.length === 0)
        set('ScalingActive', {
          status: 'True',
          reason: 'ValidMetricFound',
          message: `the HPA was able to successfully calculate a replica count from ${best.name}`,
        });
      const history = histories.get(key) ?? newHistory();
      histories.set(key, history);
      const n = normalizeReplicas(
        history,
        { current, desired: best.replicas, min, max: spec.maxReplicas, now: t, downscaleWindowMs },
        spec.behavior,
      );
      set('AbleToScale', n.ableToScale);
      set('ScalingLimited', n.scalingLimited);
      desired = n.replicas;
      if (desired > current) reason = `${best.name} above target`;
      if (desired < current) reason = 'All metrics below target';
      metricStatuses = metricStatuses.filter((s) => s.type !== '');
    }

    let lastScaleTime = old.lastScaleTime;
    if (desired !== current && reason !== '') {
      try {
        await client.request('PUT', path, { ...scale, spec: { ...scale.spec, replicas: desired } });
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        set('AbleToScale', {
          status: 'False',
          reason: 'FailedUpdateScale',
          message: `the HPA controller was unable to update the target scale: ${msg}`,
        });
        event('Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${msg}`);
        await write(status({ currentReplicas: current, currentMetrics: metricStatuses }));
        throw e;
      }
      set('AbleToScale', {
        status: 'True',
        reason: 'SucceededRescale',
        message: `the HPA controller was able to update the target scale to ${desired}`,
      });
      event('Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      recordScaleEvent(histories.get(key) ?? newHistory(), spec.behavior, current, desired, t);
      lastScaleTime = rfc3339(t);
    }
    const next = status({ currentReplicas: current, desiredReplicas: desired, currentMetrics: metricStatuses });
    if (metricStatuses.length === 0) delete next.currentMetrics;
    if (lastScaleTime) next.lastScaleTime = lastScaleTime;
    await write(next);
  }

  return runController({ name: NAME, log, informers: [hpas, pods], queue, workers: deps.workers ?? 5, sync });
}
