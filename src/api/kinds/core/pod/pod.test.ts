import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText, type FieldError } from '../../../../base/errors.js';
import { defaultPullPolicy } from './defaults.js';
import { defaultPod, podKind, validatePod } from './pod.js';
import type { Pod as PodT } from '../../../gen/types.js';
import type { UnvalidatedObject } from '../../../unvalidated.js';

type Pod = UnvalidatedObject<PodT>;

const texts = (errs: FieldError[]) => errs.map(fieldErrorText);
function mk(spec: Pod['spec']): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec };
}
function defaulted(spec: Pod['spec']): Pod {
  const p = mk(spec);
  defaultPod(p);
  return p;
}

test('image pull policy from the tag', () => {
  assert.equal(defaultPullPolicy('nginx'), 'Always');
  assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultPullPolicy('nginx:1.27'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('localhost:5000/app'), 'Always');
  assert.equal(defaultPullPolicy('localhost:5000/app:v1'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('nginx@sha256:abc'), 'IfNotPresent');
});

test('pod defaults match what kubectl get -o yaml shows', () => {
  const p = defaulted({
    containers: [
      {
        name: 'app',
        image: 'nginx:1.27',
        ports: [{ containerPort: 80 }],
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        readinessProbe: { httpGet: { port: 80 } },
        resources: { limits: { cpu: '500m' } },
      },
    ],
    volumes: [{ name: 'cfg', configMap: { name: 'c' } }, { name: 'scratch' }],
  });
  const spec = p.spec!;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.deepEqual(spec.securityContext, {});
  assert.equal(spec.enableServiceLinks, true);
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.priority, 0);
  assert.equal(spec.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(
    spec.tolerations?.map((t) => `${t.key}:${t.effect}:${t.tolerationSeconds}`),
    ['node.kubernetes.io/not-ready:NoExecute:300', 'node.kubernetes.io/unreachable:NoExecute:300'],
  );
  const c = spec.containers![0]!;
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports?.[0]?.protocol, 'TCP');
  assert.equal(c.env?.[0]?.valueFrom?.fieldRef?.apiVersion, 'v1');
  assert.deepEqual(c.readinessProbe, {
    httpGet: { port: 80, path: '/', scheme: 'HTTP' },
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.deepEqual(c.resources, { limits: { cpu: '500m' }, requests: { cpu: '500m' } });
  assert.equal(spec.volumes?.[0]?.configMap?.defaultMode, 420);
  assert.deepEqual(spec.volumes?.[1]?.emptyDir, {});
  assert.equal(p.status?.phase, 'Pending');
  assert.equal(p.status?.qosClass, 'Burstable');
  assert.deepEqual(defaulted({ containers: [{ name: 'a', image: 'x' }] }).spec?.containers?.[0]?.resources, {});
});

test('required containers and images', () => {
  assert.deepEqual(texts(validatePod(defaulted({ containers: [] }), undefined)), ['spec.containers: Required value']);
  assert.deepEqual(texts(validatePod(defaulted({ containers: [{ name: 'app' }] }), undefined)), [
    'spec.containers[0].image: Required value',
  ]);
});

test('container names, ports, restart policy, resources', () => {
  const p = defaulted({
    containers: [
      { name: 'App', image: 'x', ports: [{ containerPort: 70000 }] },
      { name: 'b', image: 'x', resources: { requests: { cpu: '1' }, limits: { cpu: '500m' } } },
      { name: 'b', image: 'x' },
    ],
    restartPolicy: 'Sometimes',
  });
  const t = texts(validatePod(p, undefined));
  assert.ok(
    t.some((s) => s.startsWith('spec.containers[0].name: Invalid value: "App": a lowercase RFC 1123 label')),
    t.join('\n'),
  );
  assert.ok(t.includes('spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'));
  assert.ok(t.includes('spec.containers[1].resources.requests[cpu]: Invalid value: "1": must be less than or equal to cpu limit of 500m'));
  assert.ok(t.some((s) => s.startsWith('spec.containers[2].name: Duplicate value: "b"')));
  assert.ok(t.includes('spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'));
});

test('probes are checked', () => {
  const p = defaulted({ containers: [{ name: 'a', image: 'x', livenessProbe: { successThreshold: 2, httpGet: { port: 0 } } }] });
  const t = texts(validatePod(p, undefined));
  assert.ok(
    t.includes('spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive'),
    t.join('\n'),
  );
  assert.ok(t.includes('spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'));
});

test('pod updates: image may change, other fields may not', () => {
  const old = defaulted({ containers: [{ name: 'a', image: 'nginx:1' }] });
  const imageChange = structuredClone(old);
  imageChange.spec!.containers![0]!.image = 'nginx:2';
  assert.deepEqual(validatePod(imageChange, old), []);
  const tolAdd = structuredClone(old);
  tolAdd.spec!.tolerations!.push({ key: 'k', operator: 'Exists' });
  assert.deepEqual(validatePod(tolAdd, old), []);
  const bad = structuredClone(old);
  bad.spec!.restartPolicy = 'Never';
  const errs = validatePod(bad, old);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]?.field, 'spec');
  assert.match(fieldErrorText(errs[0]!), /^spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,/);
  assert.match(errs[0]!.detail, /spec\.restartPolicy/);
});

test('pod kind identity and field selectors', () => {
  assert.deepEqual([podKind.plural, podKind.shortNames, podKind.categories], ['pods', ['po'], ['all']]);
  assert.deepEqual(podKind.subresources.map((s) => `${s.name}:${s.group}/${s.kind}`).sort(), [
    'attach:/PodAttachOptions',
    'binding:/Binding',
    'eviction:policy/Eviction',
    'exec:/PodExecOptions',
    'log:/Pod',
    'portforward:/PodPortForwardOptions',
    'status:/Pod',
  ]);
  const p = defaulted({ containers: [{ name: 'a', image: 'x' }], nodeName: 'n1' });
  assert.equal(podKind.fieldSelectors?.['spec.nodeName']?.(p), 'n1');
  assert.equal(podKind.fieldSelectors?.['status.phase']?.(p), 'Pending');
  assert.equal(podKind.fieldSelectors?.['spec.hostNetwork']?.(p), 'false');
});
