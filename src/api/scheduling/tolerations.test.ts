import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint, Toleration } from '../gen/types.js';
import { firstUntolerated, isTolerated, mergeTolerations, noExecuteTolerance, toleratesTaint } from './tolerations.js';

const taint = (key: string, effect: string, value?: string): Taint => ({ key, effect, ...(value === undefined ? {} : { value }) });

test('a toleration covers a taint by key, operator, value and effect', () => {
  assert.equal(toleratesTaint({ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, taint('k', 'NoSchedule', 'v')), true);
  assert.equal(
    toleratesTaint({ key: 'k', value: 'v' }, taint('k', 'NoExecute', 'v')),
    true,
    'empty operator is Equal; empty effect is every effect',
  );
  assert.equal(toleratesTaint({ key: 'k', operator: 'Equal', value: 'w' }, taint('k', 'NoSchedule', 'v')), false);
  assert.equal(toleratesTaint({ key: 'k', operator: 'Exists' }, taint('k', 'NoSchedule', 'v')), true);
  assert.equal(toleratesTaint({ operator: 'Exists' }, taint('any', 'NoExecute')), true, 'empty key with Exists covers everything');
  assert.equal(toleratesTaint({ key: 'k', operator: 'Bogus' }, taint('k', 'NoSchedule')), false);
  assert.equal(isTolerated(undefined, taint('k', 'NoSchedule')), false);
  const taints = [taint('a', 'NoSchedule'), taint('b', 'NoExecute'), taint('c', 'PreferNoSchedule')];
  assert.equal(firstUntolerated(taints, [{ key: 'a', operator: 'Exists' }])?.key, 'b');
  assert.equal(firstUntolerated(taints, [{ key: 'a', operator: 'Exists' }], ['NoSchedule']), undefined, 'only the effects asked for');
});

test('NoExecute tolerance: now, never, or the smallest tolerationSeconds', () => {
  const taints = [taint('x', 'NoExecute'), taint('y', 'NoExecute')];
  assert.equal(noExecuteTolerance(taints, [{ key: 'x', operator: 'Exists' }]), 'now');
  assert.equal(noExecuteTolerance(taints, [{ operator: 'Exists' }]), 'never');
  assert.equal(
    noExecuteTolerance(taints, [
      { key: 'x', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
      { key: 'y', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: -5 },
    ]),
    0,
  );
});

test("merging keeps the pod's tolerations and adds only what nothing covers yet", () => {
  const pod: Toleration[] = [
    { key: 'gpu', operator: 'Exists' },
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  const rc: Toleration[] = [
    { key: 'gpu', operator: 'Equal', value: 'a100', effect: 'NoSchedule' }, // covered by the pod's Exists
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 }, // wider: replaces 300
    { key: 'os', operator: 'Equal', value: 'windows', effect: 'NoSchedule' },
    { key: 'os', operator: 'Equal', value: 'windows', effect: 'NoSchedule' }, // a duplicate
  ];
  assert.deepEqual(mergeTolerations(pod, rc), [
    { key: 'gpu', operator: 'Exists' },
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 },
    { key: 'os', operator: 'Equal', value: 'windows', effect: 'NoSchedule' },
  ]);
  assert.deepEqual(
    mergeTolerations([], [{ operator: 'Exists' }, { key: 'a', operator: 'Exists' }]),
    [{ operator: 'Exists' }],
    'an empty key with Exists covers all',
  );
  assert.deepEqual(mergeTolerations(pod, []), pod);
});
