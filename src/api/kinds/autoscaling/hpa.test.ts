import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AutoscalingV2HorizontalPodAutoscaler } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { defaultHpa, hpaKind } from './hpa.js';
import { validateHpa } from './hpa-validate.js';

type Hpa = UnvalidatedObject<AutoscalingV2HorizontalPodAutoscaler>;
const NOW = Date.parse('2024-05-01T12:00:00Z');

function hpa(spec: Record<string, unknown>): Hpa {
  const o = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, ...spec },
  } as Hpa;
  defaultHpa(o);
  return o;
}
const errs = (o: Hpa) => validateHpa(o).map((e) => `${e.field}: ${e.detail}`);

test('hpa defaults: minReplicas 1, 80% CPU, behaviour filled in only when given', () => {
  const o = hpa({});
  assert.equal(o.spec?.minReplicas, 1);
  assert.deepEqual(o.spec?.metrics, [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
  ]);
  assert.equal(o.spec?.behavior, undefined);
  assert.deepEqual(errs(o), []);
  const b = hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 10 } } });
  assert.deepEqual(b.spec?.behavior, {
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    },
    scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }], stabilizationWindowSeconds: 10 },
  });
  assert.deepEqual(errs(b), []);
});

test('bad hpas name the field', () => {
  const cpu = (target: Record<string, unknown>) => [{ type: 'Resource', resource: { name: 'cpu', target } }];
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ minReplicas: 0 }, 'spec.minReplicas: must be greater than or equal to 1'],
    [{ minReplicas: 6 }, 'spec.maxReplicas: must be greater than or equal to `minReplicas`'],
    [{ maxReplicas: 0 }, 'spec.maxReplicas: must be greater than 0'],
    [{ scaleTargetRef: { kind: 'Deployment' } }, 'spec.scaleTargetRef.name: '],
    [{ scaleTargetRef: { kind: 'Deployment', name: 'a/b' } }, "spec.scaleTargetRef.name: may not contain '/'"],
    [
      { metrics: [{ type: 'Magic' }] },
      'spec.metrics[0].type: supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
    ],
    [{ metrics: [{ type: 'Resource' }] }, 'spec.metrics[0].resource: must populate information for the given metric source'],
    [
      { metrics: cpu({ type: 'Utilization', averageUtilization: 0 }) },
      'spec.metrics[0].resource.target.averageUtilization: must be greater than 0',
    ],
    [
      { metrics: cpu({ type: 'Sometimes', averageUtilization: 50 }) },
      'spec.metrics[0].resource.target.type: must be either Utilization, Value, or AverageValue',
    ],
    [
      { metrics: cpu({ type: 'AverageValue' }) },
      'spec.metrics[0].resource.target.averageUtilization: must set either a target raw value or a target utilization',
    ],
    [
      { metrics: cpu({ type: 'AverageValue', averageValue: '100m', averageUtilization: 5 }) },
      'spec.metrics[0].resource.target.averageValue: may not set both a target raw value and a target utilization',
    ],
    [{ metrics: cpu({ type: 'AverageValue', averageValue: '-1' }) }, 'spec.metrics[0].resource.target.averageValue: must be positive'],
    [
      { metrics: [{ type: 'Resource', resource: { name: 'gpu', target: { type: 'Utilization', averageUtilization: 5 } } }] },
      'spec.metrics[0].resource.name: must be a standard resource for containers',
    ],
    [
      {
        metrics: [
          { type: 'ContainerResource', containerResource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 5 } } },
        ],
      },
      'spec.metrics[0].containerResource.container: must specify a container',
    ],
    [
      { metrics: [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'Value', value: '1' } } }] },
      'spec.metrics[0].pods.target.averageValue: must specify a positive target averageValue',
    ],
    [
      { metrics: [{ type: 'External', external: { metric: { name: 'q' }, target: { type: 'Value', value: '1', averageValue: '1' } } }] },
      'spec.metrics[0].external.target.value: may not set both a target value for metric and a per-pod target',
    ],
    [
      {
        metrics: [
          {
            type: 'Pods',
            pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1' } },
            resource: { name: 'cpu' },
          },
        ],
      },
      'spec.metrics[0].resource: must populate the given metric source only',
    ],
    [
      { behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 1801 }] } } },
      'spec.behavior.scaleUp.policies[0].periodSeconds: must be less than or equal to 1800',
    ],
    [
      { behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 0 }] } } },
      'spec.behavior.scaleUp.policies[0].periodSeconds: must be greater than zero',
    ],
    [
      { behavior: { scaleDown: { policies: [{ type: 'Nodes', value: 1, periodSeconds: 15 }] } } },
      'spec.behavior.scaleDown.policies[0].type: supported values: "Percent", "Pods"',
    ],
    [
      { behavior: { scaleDown: { policies: [{ type: 'Pods', value: 0, periodSeconds: 15 }] } } },
      'spec.behavior.scaleDown.policies[0].value: must be greater than zero',
    ],
    [{ behavior: { scaleDown: { policies: [] } } }, 'spec.behavior.scaleDown.policies: must specify at least one Policy'],
    [
      { behavior: { scaleDown: { stabilizationWindowSeconds: 3601 } } },
      'spec.behavior.scaleDown.stabilizationWindowSeconds: must be less than or equal to 3600',
    ],
    [
      { behavior: { scaleDown: { stabilizationWindowSeconds: -1 } } },
      'spec.behavior.scaleDown.stabilizationWindowSeconds: must be greater than or equal to zero',
    ],
    [{ behavior: { scaleUp: { selectPolicy: 'Most' } } }, 'spec.behavior.scaleUp.selectPolicy: supported values: "Disabled", "Max", "Min"'],
  ];
  for (const [spec, want] of cases) {
    const got = errs(hpa(spec));
    assert.ok(
      got.some((g) => g.startsWith(want)),
      `${JSON.stringify(spec)}\n want ${want}\n got ${JSON.stringify(got)}`,
    );
  }
});

test('hpa table: reference, targets as upstream prints them, bounds, replicas', () => {
  const o = hpa({
    minReplicas: 2,
    metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
      { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
    ],
  });
  o.status = {
    currentReplicas: 3,
    desiredReplicas: 3,
    currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12, averageValue: '60m' } } }],
  };
  assert.deepEqual(
    hpaKind.table.columns.map((c) => c.name),
    ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age'],
  );
  assert.deepEqual(hpaKind.table.row(o, NOW), [
    'web',
    'Deployment/web',
    'cpu: 12%/50%, memory: <unknown>/100Mi + 1 more...',
    '2',
    5,
    3,
    '60m',
  ]);
  assert.equal(hpaKind.table.row(hpa({}), NOW)[2], 'cpu: <unknown>/80%');
});
