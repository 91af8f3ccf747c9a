import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AutoscalingV1HorizontalPodAutoscaler, AutoscalingV2HorizontalPodAutoscaler } from '../../gen/types.js';
import {
  ANNOTATION_BEHAVIOR,
  ANNOTATION_CONDITIONS,
  ANNOTATION_CURRENT_METRICS,
  ANNOTATION_METRICS,
  hpaV1ToV2,
  hpaV2ToV1,
} from './hpa-convert.js';

const meta = { name: 'web', namespace: 'default', uid: 'u1', annotations: { team: 'a' } };
const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

test('what kubectl autoscale sends (v1) becomes a v2 cpu Utilization metric, and back', () => {
  const v1: AutoscalingV1HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default' },
    spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 },
    status: { currentReplicas: 0, desiredReplicas: 0 },
  };
  const v2 = hpaV1ToV2(v1);
  assert.deepEqual(v2.spec, {
    scaleTargetRef: ref,
    minReplicas: 1,
    maxReplicas: 3,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
  });
  assert.deepEqual(hpaV2ToV1(v2), v1);
  // no target: no metrics (the v2 defaults add 80% CPU afterwards)
  assert.equal(hpaV1ToV2({ ...v1, spec: { scaleTargetRef: ref, maxReplicas: 3 } }).spec?.metrics, undefined);
});

test('other metrics, behavior, current metrics and conditions travel in annotations and round-trip', () => {
  const v2: AutoscalingV2HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta,
    spec: {
      scaleTargetRef: ref,
      minReplicas: 2,
      maxReplicas: 9,
      metrics: [
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
        { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
        {
          type: 'Object',
          object: {
            describedObject: { apiVersion: 'v1', kind: 'Service', name: 'web' },
            metric: { name: 'rps' },
            target: { type: 'Value', value: '5' },
          },
        },
        { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'AverageValue', averageValue: '30' } } },
        {
          type: 'ContainerResource',
          containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 60 } },
        },
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
      behavior: {
        scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 30 }] },
      },
    },
    status: {
      currentReplicas: 3,
      desiredReplicas: 4,
      observedGeneration: 2,
      currentMetrics: [
        { type: 'Resource', resource: { name: 'memory', current: { averageValue: '50Mi' } } },
        { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 91, averageValue: '91m' } } },
      ],
      conditions: [{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' }],
    },
  };
  const v1 = hpaV2ToV1(v2);
  assert.equal(v1.spec?.targetCPUUtilizationPercentage, 70);
  assert.equal(v1.status?.currentCPUUtilizationPercentage, 91);
  const ann = v1.metadata.annotations ?? {};
  assert.equal(ann['team'], 'a');
  const others = JSON.parse(ann[ANNOTATION_METRICS] ?? '[]') as unknown[];
  assert.equal(others.length, 5);
  assert.deepEqual(others[0], { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } });
  assert.deepEqual(others[1], { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } });
  assert.deepEqual(JSON.parse(ann[ANNOTATION_BEHAVIOR] ?? 'null'), v2.spec?.behavior);
  assert.deepEqual(JSON.parse(ann[ANNOTATION_CONDITIONS] ?? 'null'), v2.status?.conditions);
  assert.ok(ann[ANNOTATION_CURRENT_METRICS]);
  const back = hpaV1ToV2(v1);
  // the cpu metric returns last, as upstream appends it after the annotation's metrics
  const want = structuredClone(v2);
  const m = want.spec!.metrics!;
  m.push(...m.splice(5, 1));
  assert.deepEqual(back, want);
});

test('stale or broken round-trip annotations are not trusted', () => {
  const v1: AutoscalingV1HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', annotations: { [ANNOTATION_METRICS]: '{not json', [ANNOTATION_CONDITIONS]: '[]' } },
    spec: { scaleTargetRef: ref, maxReplicas: 3, targetCPUUtilizationPercentage: 40 },
  };
  const v2 = hpaV1ToV2(v1);
  assert.equal(v2.metadata.annotations, undefined);
  assert.equal(v2.spec?.metrics?.length, 1);
  // converting back writes only the annotations it produces
  const again = hpaV2ToV1({ ...v2, metadata: { ...v2.metadata, annotations: { [ANNOTATION_BEHAVIOR]: '{}' } } });
  assert.equal(again.metadata.annotations, undefined);
});
