import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, RuntimeClass } from '../../api/gen/types.js';
import type { UnvalidatedObject } from '../../api/unvalidated.js';
import { isStatusError } from '../../base/errors.js';
import { admitRuntimeClass } from './runtime-class.js';

const classes: Record<string, RuntimeClass> = {
  'wcow-hyperv': {
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: { name: 'wcow-hyperv' },
    handler: 'runhcs-wcow-hypervisor',
    overhead: { podFixed: { cpu: '250m', memory: '128Mi' } },
    scheduling: {
      nodeSelector: { 'kubernetes.io/os': 'windows', 'node.kubernetes.io/windows-build': '10.0.20348' },
      tolerations: [{ key: 'os', operator: 'Equal', value: 'windows', effect: 'NoSchedule' }],
    },
  },
  plain: { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'plain' }, handler: 'runc' },
};
const lookup = async (name: string) => classes[name];
const pod = (spec: Partial<Pod['spec']> & object): UnvalidatedObject<Pod> => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default' },
  spec: { containers: [{ name: 'c' }], ...spec },
});
const forbidden = (msg: string) => (e: unknown) => isStatusError(e) && e.code === 403 && e.message === `pods "web" is forbidden: ${msg}`;

test('the class is applied: overhead, nodeSelector merged, tolerations merged', async () => {
  const p = pod({ runtimeClassName: 'wcow-hyperv', nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'x', operator: 'Exists' }] });
  await admitRuntimeClass(p, lookup);
  assert.deepEqual(p.spec?.overhead, { cpu: '250m', memory: '128Mi' });
  assert.deepEqual(p.spec?.nodeSelector, { disk: 'ssd', 'kubernetes.io/os': 'windows', 'node.kubernetes.io/windows-build': '10.0.20348' });
  assert.deepEqual(p.spec?.tolerations, [
    { key: 'x', operator: 'Exists' },
    { key: 'os', operator: 'Equal', value: 'windows', effect: 'NoSchedule' },
  ]);
});

test("an overhead already equal to the class's (in other units) is accepted; a pod without a class is untouched", async () => {
  const p = pod({ runtimeClassName: 'wcow-hyperv', overhead: { cpu: '0.25', memory: '134217728' } });
  await admitRuntimeClass(p, lookup);
  assert.deepEqual(p.spec?.overhead, { cpu: '250m', memory: '128Mi' });
  const q = pod({});
  await admitRuntimeClass(q, lookup);
  assert.deepEqual(q.spec, { containers: [{ name: 'c' }] });
  const r = pod({ runtimeClassName: 'plain' });
  await admitRuntimeClass(r, lookup);
  assert.deepEqual(
    r.spec,
    { containers: [{ name: 'c' }], runtimeClassName: 'plain' },
    'a class without overhead or scheduling adds nothing',
  );
});

test("rejections name the rule, with upstream's messages", async () => {
  await assert.rejects(
    admitRuntimeClass(pod({ runtimeClassName: 'ghost' }), lookup),
    forbidden('pod rejected: RuntimeClass "ghost" not found'),
  );
  await assert.rejects(
    admitRuntimeClass(pod({ runtimeClassName: 'wcow-hyperv', overhead: { cpu: '1' } }), lookup),
    forbidden("pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead"),
  );
  await assert.rejects(
    admitRuntimeClass(pod({ overhead: { cpu: '1' } }), lookup),
    forbidden('pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead'),
  );
  await assert.rejects(
    admitRuntimeClass(pod({ runtimeClassName: 'plain', overhead: { cpu: '1' } }), lookup),
    forbidden('pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead'),
  );
  await assert.rejects(
    admitRuntimeClass(pod({ runtimeClassName: 'wcow-hyperv', nodeSelector: { 'kubernetes.io/os': 'linux' } }), lookup),
    forbidden(
      'conflict: runtimeClass.scheduling.nodeSelector[kubernetes.io/os] = windows; pod.spec.nodeSelector[kubernetes.io/os] = linux',
    ),
  );
});
