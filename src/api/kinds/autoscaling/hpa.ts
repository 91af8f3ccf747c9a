// autoscaling/v2 HorizontalPodAutoscaler: the kind (defaults, validation in hpa-validate.ts, the
// table kubectl prints). src/controllers/hpa/ acts on it. autoscaling/v1 (what kubectl 1.32's
// `kubectl autoscale` sends) is the same stored object seen through hpa-convert.ts.

import type { TableDef } from '../../kind.js';
import type { AutoscalingV2HorizontalPodAutoscaler, HPAScalingRules, MetricSpec, MetricStatus } from '../../gen/types.js';
import type { Unvalidated, UnvalidatedObject } from '../../unvalidated.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';
import { validateHpa, validateHpaStatus } from './hpa-validate.js';

type Hpa = UnvalidatedObject<AutoscalingV2HorizontalPodAutoscaler>;

/** The CPU utilization target of an HPA that names no metric. */
const DEFAULT_CPU_UTILIZATION = 80;

const scaleUpDefaults = (): HPAScalingRules => ({
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
});
// the scale-down window stays unset: the controller's --horizontal-pod-autoscaler-downscale-stabilization applies
const scaleDownDefaults = (): HPAScalingRules => ({ selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });

function withDefaults(given: Unvalidated<HPAScalingRules> | undefined, d: HPAScalingRules): Unvalidated<HPAScalingRules> {
  if (!given) return d;
  return {
    ...d,
    ...(given.selectPolicy !== undefined ? { selectPolicy: given.selectPolicy } : {}),
    ...(given.stabilizationWindowSeconds !== undefined ? { stabilizationWindowSeconds: given.stabilizationWindowSeconds } : {}),
    ...(given.policies !== undefined ? { policies: given.policies } : {}),
  };
}

export function defaultHpa(hpa: Hpa): void {
  const spec = (hpa.spec ??= {});
  spec.minReplicas ??= 1;
  if (!spec.metrics || spec.metrics.length === 0) {
    spec.metrics = [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } },
    ];
  }
  if (spec.behavior) {
    spec.behavior.scaleUp = withDefaults(spec.behavior.scaleUp, scaleUpDefaults());
    spec.behavior.scaleDown = withDefaults(spec.behavior.scaleDown, scaleDownDefaults());
  }
}

const pct = (n: number | undefined) => (n === undefined ? undefined : `${n}%`);
const str = (q: unknown) => (q === undefined || q === null ? undefined : String(q));

/** One metric's `current/target` cell text, as upstream's printer writes it. */
function metricText(spec: Unvalidated<MetricSpec>, status: Unvalidated<MetricStatus> | undefined): string {
  const unknown = '<unknown>';
  switch (spec.type) {
    case 'External':
    case 'Object': {
      const src = spec.type === 'External' ? spec.external : spec.object;
      const cur = spec.type === 'External' ? status?.external?.current : status?.object?.current;
      if (src?.target?.averageValue !== undefined) return `${str(cur?.averageValue) ?? unknown}/${String(src.target.averageValue)} (avg)`;
      return `${str(cur?.value) ?? unknown}/${str(src?.target?.value) ?? ''}`;
    }
    case 'Pods':
      return `${str(status?.pods?.current?.averageValue) ?? unknown}/${str(spec.pods?.target?.averageValue) ?? ''}`;
    case 'Resource':
    case 'ContainerResource': {
      const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
      const cur = spec.type === 'Resource' ? status?.resource?.current : status?.containerResource?.current;
      const name = src?.name ?? '';
      if (src?.target?.averageValue !== undefined)
        return `${name}: ${str(cur?.averageValue) ?? unknown}/${String(src.target.averageValue)}`;
      return `${name}: ${pct(cur?.averageUtilization) ?? unknown}/${pct(src?.target?.averageUtilization) ?? '<auto>'}`;
    }
    default:
      return '<unknown type>';
  }
}

/** The TARGETS cell: the first two metrics, then `+ N more...`. */
function formatHpaMetrics(
  specs: readonly Unvalidated<MetricSpec>[] | undefined,
  statuses: readonly Unvalidated<MetricStatus>[] | undefined,
): string {
  const list = specs ?? [];
  if (list.length === 0) return '<none>';
  const texts = list.map((s, i) => metricText(s, statuses?.[i]));
  return texts.length > 2 ? `${texts.slice(0, 2).join(', ')} + ${texts.length - 2} more...` : texts.join(', ');
}

const hpaTable: TableDef<Hpa> = {
  columns: [
    nameColumn,
    col('Reference', 'string', 'Reference to the scale target.'),
    col('Targets', 'string', 'The current and target values of the metrics.'),
    col('MinPods', 'string', 'Lower limit for the number of pods.'),
    col('MaxPods', 'integer', 'Upper limit for the number of pods.'),
    col('Replicas', 'integer', 'Current number of replicas of pods managed by this autoscaler.'),
    ageColumn,
  ],
  row(hpa, now) {
    const spec = hpa.spec ?? {};
    const ref = spec.scaleTargetRef;
    return [
      hpa.metadata.name ?? '',
      `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
      formatHpaMetrics(spec.metrics, hpa.status?.currentMetrics),
      spec.minReplicas === undefined ? '<unset>' : String(spec.minReplicas),
      spec.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      age(hpa, now),
    ];
  },
};

export const hpaKind = defineKind<AutoscalingV2HorizontalPodAutoscaler>({
  group: 'autoscaling',
  version: 'v2',
  kind: 'HorizontalPodAutoscaler',
  listKind: 'HorizontalPodAutoscalerList',
  plural: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  shortNames: ['hpa'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  subresources: [{ ...statusSub('autoscaling', 'HorizontalPodAutoscaler'), version: 'v2' }],
  generation: true,
  hasStatus: true,
  nameRule: 'path-segment',
  defaults: defaultHpa,
  validate: (hpa) => validateHpa(hpa),
  validateStatus: (hpa) => validateHpaStatus(hpa),
  table: hpaTable,
});
