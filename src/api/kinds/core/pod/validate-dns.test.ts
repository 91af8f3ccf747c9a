import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalid } from '../../../../base/errors.js';
import { podKind } from './pod.js';
import type { Pod as PodT } from '../../../gen/types.js';
import type { UnvalidatedObject } from '../../../unvalidated.js';

type Pod = UnvalidatedObject<PodT>;
type Spec = NonNullable<Pod['spec']>;

/** The causes of the 422 the API server answers for this spec, as `field: message`. */
function causes(spec: Partial<Spec>): string[] {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
  };
  podKind.defaults?.(pod);
  const errs = podKind.validate?.(pod, undefined) ?? [];
  if (errs.length === 0) return [];
  return (invalid('Pod', '', 'p', errs).toStatus().details?.causes ?? []).map((c) => `${c.field ?? ''}: ${c.message ?? ''}`);
}

const table: Array<[string, Partial<Spec>, string[]]> = [
  ['ClusterFirst without dnsConfig', {}, []],
  ['None without dnsConfig', { dnsPolicy: 'None' }, ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None']],
  [
    'None without a nameserver',
    { dnsPolicy: 'None', dnsConfig: { searches: ['a.example'] } },
    ['spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None'],
  ],
  ['None with a nameserver', { dnsPolicy: 'None', dnsConfig: { nameservers: ['192.0.2.1'] } }, []],
  [
    'four nameservers',
    { dnsConfig: { nameservers: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '2001:db8::1'] } },
    [
      'spec.dnsConfig.nameservers: Invalid value: ["192.0.2.1","192.0.2.2","192.0.2.3","2001:db8::1"]: must not have more than 3 nameservers',
    ],
  ],
  [
    'a nameserver that is not an IP',
    { dnsConfig: { nameservers: ['dns.example'] } },
    ['spec.dnsConfig.nameservers[0]: Invalid value: "dns.example": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
  ],
  ['a search path with a trailing dot', { dnsConfig: { searches: ['corp.example.'] } }, []],
  [
    'a search path that is not a DNS name',
    { dnsConfig: { searches: ['Bad_Name'] } },
    [
      "spec.dnsConfig.searches[0]: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
  ],
  [
    'an option without a name',
    { dnsConfig: { options: [{ value: '2' }] } },
    ['spec.dnsConfig.options[0]: Required value: must not be empty'],
  ],
];

for (const [name, spec, want] of table) {
  test(`dnsConfig: ${name}`, () => assert.deepEqual(causes(spec), want));
}

test('dnsConfig: 33 search paths, and a search line over 2048 characters', () => {
  const many = Array.from({ length: 33 }, (_, i) => `s${i}.example`);
  const got = causes({ dnsConfig: { searches: many } });
  assert.equal(got.length, 1);
  assert.match(got[0] ?? '', /^spec\.dnsConfig\.searches: Invalid value: .*: must not have more than 32 search paths$/);
  const long = Array.from({ length: 9 }, (_, i) => `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(50)}${i}`);
  const got2 = causes({ dnsConfig: { searches: long } });
  assert.equal(got2.length, 1);
  assert.match(got2[0] ?? '', /must not have more than 2048 characters \(including spaces\) in the search list$/);
});
