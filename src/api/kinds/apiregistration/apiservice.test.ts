import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../base/errors.js';
import type { APIService } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { apiServiceKind } from './apiservice.js';

type In = UnvalidatedObject<APIService>;
const svc = (name: string, spec: In['spec']): In => ({
  apiVersion: 'apiregistration.k8s.io/v1',
  kind: 'APIService',
  metadata: { name },
  spec,
});
const errs = (a: In): string[] => {
  apiServiceKind.defaults!(a);
  return apiServiceKind.validate!(a, undefined).map(fieldErrorText);
};

const cases: [string, In, string[]][] = [
  ['local core', svc('v1.', { version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 }), []],
  [
    'remote',
    svc('v1beta1.metrics.k8s.io', {
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      groupPriorityMinimum: 100,
      versionPriority: 100,
      service: { namespace: 'kube-system', name: 'metrics-server' },
    }),
    [],
  ],
  [
    'wrong name',
    svc('metrics', { group: 'metrics.k8s.io', version: 'v1', groupPriorityMinimum: 100, versionPriority: 100 }),
    ['metadata.name: Invalid value: "metrics": must be `spec.version+"."+spec.group`: "v1.metrics.k8s.io"'],
  ],
  [
    'empty group with v2',
    svc('v2.', { version: 'v2', groupPriorityMinimum: 1, versionPriority: 1 }),
    ['spec.group: Required value: only v1 may have an empty group and it better be legacy kube'],
  ],
  [
    'priorities out of range',
    svc('v1.a.io', { group: 'a.io', version: 'v1', groupPriorityMinimum: 0, versionPriority: 1001 }),
    [
      'spec.groupPriorityMinimum: Invalid value: 0: must be positive and less than 20000',
      'spec.versionPriority: Invalid value: 1001: must be positive and less than 1000',
    ],
  ],
  [
    'bad version',
    svc('V1.a.io', { group: 'a.io', version: 'V1', groupPriorityMinimum: 1, versionPriority: 1 }),
    [
      `spec.version: Invalid value: "V1": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ],
  ],
  [
    'local with caBundle',
    svc('v1.a.io', { group: 'a.io', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1, caBundle: 'AAAA' }),
    ['spec.caBundle: Invalid value: "3 bytes": local APIServices may not have a caBundle'],
  ],
  [
    'service without name, bad port',
    svc('v1.a.io', { group: 'a.io', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1, service: { namespace: 'x', port: 0 } }),
    ['spec.service.name: Required value', 'spec.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive'],
  ],
];
for (const [name, obj, want] of cases) test(`APIService validation: ${name}`, () => assert.deepEqual(errs(obj), want));

test('APIService: service port defaults to 443; status; table', () => {
  const a = svc('v1.a.io', {
    group: 'a.io',
    version: 'v1',
    groupPriorityMinimum: 1,
    versionPriority: 1,
    service: { namespace: 'ns', name: 'api' },
  });
  apiServiceKind.defaults!(a);
  assert.equal(a.spec?.service?.port, 443);
  assert.deepEqual(apiServiceKind.table.row(a, 0).slice(0, 3), ['v1.a.io', 'ns/api', 'Unknown']);
  a.status = { conditions: [{ type: 'Available', status: 'False', reason: 'MissingEndpoints' }] };
  assert.deepEqual(apiServiceKind.table.row(a, 0).slice(1, 3), ['ns/api', 'False (MissingEndpoints)']);
  const local = svc('v1.', { version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 });
  local.status = { conditions: [{ type: 'Available', status: 'True', reason: 'Local' }] };
  assert.deepEqual(apiServiceKind.table.row(local, 0).slice(1, 3), ['Local', 'True']);
  local.status = { conditions: [{ type: 'Available', status: 'Maybe' }] };
  assert.deepEqual(apiServiceKind.validateStatus!(local, local).map(fieldErrorText), [
    'status.conditions[0].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"',
  ]);
});
