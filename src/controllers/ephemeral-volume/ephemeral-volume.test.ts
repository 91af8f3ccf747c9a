import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/gen/types.js';
import { ephemeralClaim } from './ephemeral-volume-controller.js';

test("an ephemeral volume's claim: named <pod>-<volume>, from the template, controlled by the pod", () => {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'apps', uid: 'u1' },
    spec: {
      containers: [],
      volumes: [
        {
          name: 'scratch',
          ephemeral: {
            volumeClaimTemplate: {
              metadata: { labels: { a: 'b' } },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          },
        },
        { name: 'plain', emptyDir: {} },
      ],
    },
  };
  const c = ephemeralClaim(pod, pod.spec!.volumes![0]!);
  assert.equal(c?.metadata.name, 'web-scratch');
  assert.equal(c?.metadata.namespace, 'apps');
  assert.deepEqual(c?.metadata.labels, { a: 'b' });
  assert.deepEqual(c?.metadata.ownerReferences, [
    { apiVersion: 'v1', kind: 'Pod', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true },
  ]);
  assert.deepEqual(c?.spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
  assert.equal(ephemeralClaim(pod, pod.spec!.volumes![1]!), undefined);
});
