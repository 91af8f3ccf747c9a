import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AutoscalingV1HorizontalPodAutoscaler } from '../../gen/types.js';
import { hpaV1Conversion, hpaV1Kind } from './hpa-v1.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

test('the v1 view: what kubectl autoscale posts is defaulted, validated and printed through v2', () => {
  const posted: AutoscalingV1HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      maxReplicas: 3,
      targetCPUUtilizationPercentage: 50,
    },
  };
  hpaV1Kind.defaults?.(posted);
  assert.equal(posted.spec?.minReplicas, 1);
  assert.deepEqual(hpaV1Kind.validate?.(posted, undefined), []);
  assert.deepEqual(hpaV1Kind.table.row(posted, NOW), ['web', 'Deployment/web', 'cpu: <unknown>/50%', '1', 3, 0, '60m']);
  const stored = hpaV1Conversion.toStorage(posted);
  assert.equal(stored.apiVersion, 'autoscaling/v2');
  assert.equal(stored.spec?.metrics?.length, 1);
  assert.deepEqual(hpaV1Conversion.fromStorage(stored), posted);
  // no CPU target: stored with v2's default 80%, which reads back as v1's target
  const bare = hpaV1Conversion.toStorage({ ...posted, spec: { scaleTargetRef: posted.spec!.scaleTargetRef, maxReplicas: 3 } });
  assert.equal(hpaV1Conversion.fromStorage(bare).spec?.targetCPUUtilizationPercentage, 80);
  const bad = { ...posted, spec: { ...posted.spec!, targetCPUUtilizationPercentage: 0, minReplicas: 4 } };
  assert.deepEqual(
    hpaV1Kind.validate?.(bad, undefined).map((e) => `${e.field}: ${e.detail}`),
    [
      'spec.maxReplicas: must be greater than or equal to `minReplicas`',
      'spec.metrics[0].resource.target.averageUtilization: must be greater than 0',
    ],
  );
  assert.equal(hpaV1Kind.version, 'v1');
  assert.equal(hpaV1Kind.plural, 'horizontalpodautoscalers');
});
