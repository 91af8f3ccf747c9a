// autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscaler, by upstream's conversion rules, so that
// one stored (v2) object can be served as v1 too (kubectl 1.32's `kubectl autoscale` posts v1). v1
// has only targetCPUUtilizationPercentage: a v2 Resource cpu Utilization metric maps onto it; every
// other metric, the behavior, the current metrics and the conditions travel in v1 annotations
// (autoscaling.alpha.kubernetes.io/…), in the older metric shapes v1 defines, and come back from them.

import type {
  AutoscalingV1HorizontalPodAutoscaler as V1,
  AutoscalingV2HorizontalPodAutoscaler as V2,
  MetricSpec,
  MetricStatus,
  MetricTarget,
  MetricValueStatus,
} from '../../gen/types.js';

export const ANNOTATION_METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
export const ANNOTATION_CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const ANNOTATION_CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
export const ANNOTATION_BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';
const ROUND_TRIP = [ANNOTATION_METRICS, ANNOTATION_CURRENT_METRICS, ANNOTATION_CONDITIONS, ANNOTATION_BEHAVIOR];

type J = Record<string, unknown>;
const def = <T extends J>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const isCpuUtilization = (m: MetricSpec) =>
  m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target.averageUtilization !== undefined;

/** A v2 metric in v1's annotation shape (autoscaling/v1 MetricSpec). */
function specToV1(m: MetricSpec): J {
  const r = m.resource,
    c = m.containerResource,
    p = m.pods,
    o = m.object,
    e = m.external;
  return def({
    type: m.type,
    resource: r && def({ name: r.name, targetAverageUtilization: r.target.averageUtilization, targetAverageValue: r.target.averageValue }),
    containerResource:
      c &&
      def({
        name: c.name,
        container: c.container,
        targetAverageUtilization: c.target.averageUtilization,
        targetAverageValue: c.target.averageValue,
      }),
    pods: p && def({ metricName: p.metric.name, selector: p.metric.selector, targetAverageValue: p.target.averageValue }),
    object:
      o &&
      def({
        target: o.describedObject,
        metricName: o.metric.name,
        selector: o.metric.selector,
        targetValue: o.target.value,
        averageValue: o.target.averageValue,
      }),
    external:
      e &&
      def({
        metricName: e.metric.name,
        metricSelector: e.metric.selector,
        targetValue: e.target.value,
        targetAverageValue: e.target.averageValue,
      }),
  });
}

/** A v1 annotation metric back in the v2 shape. */
function specFromV1(m: J): MetricSpec {
  const g = (k: string) => m[k] as J | undefined;
  const r = g('resource'),
    c = g('containerResource'),
    p = g('pods'),
    o = g('object'),
    e = g('external');
  const resTarget = (x: J) =>
    def({
      type: x['targetAverageUtilization'] === undefined ? 'AverageValue' : 'Utilization',
      averageUtilization: x['targetAverageUtilization'],
      averageValue: x['targetAverageValue'],
    }) as MetricTarget;
  const out: MetricSpec = { type: String(m['type'] ?? '') };
  if (r) out.resource = { name: String(r['name'] ?? ''), target: resTarget(r) };
  if (c) out.containerResource = { name: String(c['name'] ?? ''), container: String(c['container'] ?? ''), target: resTarget(c) };
  if (p)
    out.pods = {
      metric: def({ name: String(p['metricName'] ?? ''), selector: p['selector'] }),
      target: def({ type: 'AverageValue', averageValue: p['targetAverageValue'] }),
    } as MetricSpec['pods'];
  if (o)
    out.object = {
      describedObject: o['target'],
      metric: def({ name: String(o['metricName'] ?? ''), selector: o['selector'] }),
      target: def({
        type: o['averageValue'] !== undefined ? 'AverageValue' : 'Value',
        value: o['targetValue'],
        averageValue: o['averageValue'],
      }),
    } as MetricSpec['object'];
  if (e)
    out.external = {
      metric: def({ name: String(e['metricName'] ?? ''), selector: e['metricSelector'] }),
      target: def({
        type: e['targetAverageValue'] !== undefined ? 'AverageValue' : 'Value',
        value: e['targetValue'],
        averageValue: e['targetAverageValue'],
      }),
    } as MetricSpec['external'];
  return out;
}

function statusToV1(s: MetricStatus): J {
  const r = s.resource,
    c = s.containerResource,
    p = s.pods,
    o = s.object,
    e = s.external;
  return def({
    type: s.type,
    resource:
      r && def({ name: r.name, currentAverageUtilization: r.current.averageUtilization, currentAverageValue: r.current.averageValue }),
    containerResource:
      c &&
      def({
        name: c.name,
        container: c.container,
        currentAverageUtilization: c.current.averageUtilization,
        currentAverageValue: c.current.averageValue,
      }),
    pods: p && def({ metricName: p.metric.name, selector: p.metric.selector, currentAverageValue: p.current.averageValue }),
    object:
      o &&
      def({
        target: o.describedObject,
        metricName: o.metric.name,
        selector: o.metric.selector,
        currentValue: o.current.value,
        averageValue: o.current.averageValue,
      }),
    external:
      e &&
      def({
        metricName: e.metric.name,
        metricSelector: e.metric.selector,
        currentValue: e.current.value,
        currentAverageValue: e.current.averageValue,
      }),
  });
}

function statusFromV1(m: J): MetricStatus {
  const g = (k: string) => m[k] as J | undefined;
  const r = g('resource'),
    c = g('containerResource'),
    p = g('pods'),
    o = g('object'),
    e = g('external');
  const cur = (x: J) =>
    def({ averageUtilization: x['currentAverageUtilization'], averageValue: x['currentAverageValue'] }) as MetricValueStatus;
  const out: MetricStatus = { type: String(m['type'] ?? '') };
  if (r) out.resource = { name: String(r['name'] ?? ''), current: cur(r) };
  if (c) out.containerResource = { name: String(c['name'] ?? ''), container: String(c['container'] ?? ''), current: cur(c) };
  if (p)
    out.pods = {
      metric: def({ name: String(p['metricName'] ?? ''), selector: p['selector'] }),
      current: def({ averageValue: p['currentAverageValue'] }),
    } as MetricStatus['pods'];
  if (o)
    out.object = {
      describedObject: o['target'],
      metric: def({ name: String(o['metricName'] ?? ''), selector: o['selector'] }),
      current: def({ value: o['currentValue'], averageValue: o['averageValue'] }),
    } as MetricStatus['object'];
  if (e)
    out.external = {
      metric: def({ name: String(e['metricName'] ?? ''), selector: e['metricSelector'] }),
      current: def({ value: e['currentValue'], averageValue: e['currentAverageValue'] }),
    } as MetricStatus['external'];
  return out;
}

/** The annotations without the round-trip ones (conversion sets exactly those it produces). */
function plainAnnotations(a: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(a ?? {}).filter(([k]) => !ROUND_TRIP.includes(k)));
}

function parse<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined; // a broken round-trip annotation is ignored, as upstream ignores it
  }
}

export function hpaV2ToV1(h: V2): V1 {
  const spec = h.spec;
  const metrics = spec?.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => !isCpuUtilization(m)).map(specToV1);
  const st = h.status;
  const annotations = plainAnnotations(h.metadata.annotations);
  if (others.length) annotations[ANNOTATION_METRICS] = JSON.stringify(others);
  if (st?.currentMetrics?.length) annotations[ANNOTATION_CURRENT_METRICS] = JSON.stringify(st.currentMetrics.map(statusToV1));
  if (spec?.behavior) annotations[ANNOTATION_BEHAVIOR] = JSON.stringify(spec.behavior);
  if (st?.conditions?.length) annotations[ANNOTATION_CONDITIONS] = JSON.stringify(st.conditions);
  const { annotations: _drop, ...meta } = h.metadata;
  const out: V1 = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: Object.keys(annotations).length ? { ...meta, annotations } : meta,
  };
  if (spec)
    out.spec = def({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: cpu?.resource?.target.averageUtilization,
    }) as V1['spec'];
  if (st) {
    const cpuNow = st.currentMetrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.current
      .averageUtilization;
    out.status = def({
      observedGeneration: st.observedGeneration,
      lastScaleTime: st.lastScaleTime,
      currentReplicas: st.currentReplicas ?? 0,
      desiredReplicas: st.desiredReplicas,
      currentCPUUtilizationPercentage: cpuNow,
    }) as V1['status'];
  }
  return out;
}

export function hpaV1ToV2(h: V1): V2 {
  const ann = h.metadata.annotations ?? {};
  const spec = h.spec;
  const st = h.status;
  const { annotations: _drop, ...meta } = h.metadata;
  const plain = plainAnnotations(ann);
  const out: V2 = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: Object.keys(plain).length ? { ...meta, annotations: plain } : meta,
  };
  if (spec) {
    const metrics: MetricSpec[] = (parse<J[]>(ann[ANNOTATION_METRICS]) ?? []).map(specFromV1);
    if (spec.targetCPUUtilizationPercentage !== undefined)
      metrics.push({
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } },
      });
    out.spec = def({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      metrics: metrics.length ? metrics : undefined,
      behavior: parse<NonNullable<V2['spec']>['behavior']>(ann[ANNOTATION_BEHAVIOR]),
    }) as V2['spec'];
  }
  if (st) {
    let current = parse<J[]>(ann[ANNOTATION_CURRENT_METRICS])?.map(statusFromV1);
    if (!current && st.currentCPUUtilizationPercentage !== undefined)
      current = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: st.currentCPUUtilizationPercentage } } }];
    out.status = def({
      observedGeneration: st.observedGeneration,
      lastScaleTime: st.lastScaleTime,
      currentReplicas: st.currentReplicas,
      desiredReplicas: st.desiredReplicas,
      currentMetrics: current,
      conditions: parse<NonNullable<V2['status']>['conditions']>(ann[ANNOTATION_CONDITIONS]),
    }) as V2['status'];
  }
  return out;
}
