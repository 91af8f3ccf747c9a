import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../base/errors.js';
import type { Ingress, IngressClass, NetworkPolicy } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { ingressKind } from './ingress.js';
import { ingressClassKind } from './ingress-class.js';
import { networkPolicyKind } from './network-policy.js';
import { parseCidr, strictSubset } from './net-checks.js';

type IngressIn = UnvalidatedObject<Ingress>;
type ClassIn = UnvalidatedObject<IngressClass>;
type PolicyIn = UnvalidatedObject<NetworkPolicy>;

const backend = { service: { name: 'web', port: { number: 80 } } };
const ingress = (spec: IngressIn['spec'], annotations?: Record<string, string>): IngressIn => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'i', namespace: 'default', ...(annotations ? { annotations } : {}) },
  spec,
});
const path = (p: Record<string, unknown>) => ({
  rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend, ...p }] } }],
});
const ingressErrs = (i: IngressIn, old?: IngressIn): string[] => ingressKind.validate!(i, old).map(fieldErrorText);

const ingressCases: [string, IngressIn, string[]][] = [
  ['valid', ingress(path({})), []],
  ['no rules, no default backend', ingress({}), ['spec: Invalid value: null: either `defaultBackend` or `rules` must be specified']],
  ['default backend only', ingress({ defaultBackend: backend }), []],
  [
    'pathType missing',
    ingress(path({ pathType: undefined })),
    ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'],
  ],
  [
    'pathType unknown',
    ingress(path({ pathType: 'Regex' })),
    ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'],
  ],
  [
    'relative Prefix path',
    ingress(path({ path: 'foo' })),
    ['spec.rules[0].http.paths[0].path: Invalid value: "foo": must be an absolute path'],
  ],
  ['path with //', ingress(path({ path: '/a//b' })), [`spec.rules[0].http.paths[0].path: Invalid value: "/a//b": must not contain '//'`]],
  [
    'path ending /..',
    ingress(path({ pathType: 'Exact', path: '/a/..' })),
    [`spec.rules[0].http.paths[0].path: Invalid value: "/a/..": cannot end with '/..'`],
  ],
  ['ImplementationSpecific empty path', ingress(path({ pathType: 'ImplementationSpecific', path: '' })), []],
  [
    'IP host',
    ingress({ rules: [{ host: '10.0.0.1' }] }),
    ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'],
  ],
  ['wildcard host', ingress({ rules: [{ host: '*.example.com' }] }), []],
  [
    'bad wildcard host',
    ingress({ rules: [{ host: 'a.*.com' }] }),
    [
      `spec.rules[0].host: Invalid value: "a.*.com": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ],
  ],
  ['http without paths', ingress({ rules: [{ host: 'a.b', http: { paths: [] } }] }), ['spec.rules[0].http.paths: Required value']],
  [
    'both backends',
    ingress({ defaultBackend: { ...backend, resource: { kind: 'Bucket', name: 'b' } } }),
    ['spec.defaultBackend: Invalid value: "": cannot set both resource and service backends'],
  ],
  ['no backend', ingress({ defaultBackend: {} }), ['spec.defaultBackend: Invalid value: "": resource or service backend is required']],
  [
    'resource backend without kind',
    ingress({ defaultBackend: { resource: { name: 'b' } } }),
    ['spec.defaultBackend.resource.kind: Required value'],
  ],
  [
    'service name invalid',
    ingress({ defaultBackend: { service: { name: '1web', port: { number: 80 } } } }),
    [
      `spec.defaultBackend.service.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ],
  ],
  [
    'port name and number',
    ingress({ defaultBackend: { service: { name: 'web', port: { name: 'http', number: 80 } } } }),
    ['spec.defaultBackend: Invalid value: "": cannot set both port name & port number'],
  ],
  [
    'no port',
    ingress({ defaultBackend: { service: { name: 'web' } } }),
    ['spec.defaultBackend: Required value: port name or number is required'],
  ],
  [
    'port out of range',
    ingress({ defaultBackend: { service: { name: 'web', port: { number: 70000 } } } }),
    ['spec.defaultBackend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive'],
  ],
  [
    'TLS host and secret',
    ingress({ defaultBackend: backend, tls: [{ hosts: ['Bad_Host'], secretName: 'Bad' }] }),
    [
      `spec.tls[0].hosts[0]: Invalid value: "Bad_Host": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      `spec.tls[0].secretName: Invalid value: "Bad": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ],
  ],
  [
    'class annotation mismatch',
    ingress({ defaultBackend: backend, ingressClassName: 'nginx' }, { 'kubernetes.io/ingress.class': 'traefik' }),
    ['annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified'],
  ],
];
for (const [name, obj, want] of ingressCases) test(`Ingress validation: ${name}`, () => assert.deepEqual(ingressErrs(obj), want));

test('Ingress status validation', () => {
  const i = ingress({ defaultBackend: backend });
  i.status = { loadBalancer: { ingress: [{ ip: 'nope' }, { hostname: '10.1.1.1' }] } };
  assert.deepEqual(ingressKind.validateStatus!(i, i).map(fieldErrorText), [
    'status.loadBalancer.ingress[0].ip: Invalid value: "nope": must be a valid IP address',
    'status.loadBalancer.ingress[1].hostname: Invalid value: "10.1.1.1": must be a DNS name, not an IP address',
  ]);
});

test('Ingress table: class, hosts, address, ports', () => {
  const i = ingress({
    ingressClassName: 'nginx',
    rules: [{ host: 'a' }, {}, { host: 'b' }, { host: 'c' }, { host: 'd' }],
    tls: [{ hosts: ['a'] }],
  });
  i.metadata.creationTimestamp = new Date(0).toISOString();
  i.status = { loadBalancer: { ingress: [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }] } };
  assert.deepEqual(ingressKind.table.row(i, 90_000), ['i', 'nginx', 'a,b,c + 2 more...', '10.0.0.1,10.0...', '80, 443', '90s']);
  assert.deepEqual(ingressKind.table.row(ingress({ rules: [{}] }), 0).slice(1, 5), ['<none>', '*', '', '80']);
  assert.deepEqual(
    ingressKind.table.columns.map((c) => c.name),
    ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age'],
  );
});

const ingressClass = (spec: ClassIn['spec']): ClassIn => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name: 'c' },
  spec,
});
const classErrs = (c: ClassIn, old?: ClassIn): string[] => {
  ingressClassKind.defaults!(c);
  return ingressClassKind.validate!(c, old).map(fieldErrorText);
};
const classCases: [string, ClassIn, string[]][] = [
  [
    'valid',
    ingressClass({ controller: 'example.com/ingress', parameters: { apiGroup: 'k8s.example.com', kind: 'Params', name: 'p' } }),
    [],
  ],
  ['controller missing', ingressClass({}), ['spec.controller: Required value']],
  [
    'controller not domain-prefixed',
    ingressClass({ controller: 'nginx' }),
    ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'],
  ],
  [
    'controller too long',
    ingressClass({ controller: `a.io/${'x'.repeat(250)}` }),
    ['spec.controller: Too long: may not be more than 250 bytes'],
  ],
  [
    'parameters namespace with Cluster scope',
    ingressClass({ controller: 'a.io/b', parameters: { kind: 'P', name: 'p', namespace: 'x' } }),
    ["spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"],
  ],
  [
    'Namespace scope without namespace',
    ingressClass({ controller: 'a.io/b', parameters: { kind: 'P', name: 'p', scope: 'Namespace' } }),
    ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"],
  ],
  [
    'unknown scope',
    ingressClass({ controller: 'a.io/b', parameters: { kind: 'P', name: 'p', scope: 'Galaxy' } }),
    ['spec.parameters.scope: Unsupported value: "Galaxy": supported values: "Cluster", "Namespace"'],
  ],
  ['parameters without name', ingressClass({ controller: 'a.io/b', parameters: { kind: 'P' } }), ['spec.parameters.name: Required value']],
];
for (const [name, obj, want] of classCases) test(`IngressClass validation: ${name}`, () => assert.deepEqual(classErrs(obj), want));

test('IngressClass: controller is immutable; parameters scope defaults to Cluster; table', () => {
  assert.deepEqual(classErrs(ingressClass({ controller: 'a.io/new' }), ingressClass({ controller: 'a.io/old' })), [
    'spec.controller: Invalid value: "a.io/new": field is immutable',
  ]);
  const c = ingressClass({ controller: 'a.io/b', parameters: { apiGroup: 'k8s.example.com', kind: 'Params', name: 'p' } });
  ingressClassKind.defaults!(c);
  assert.equal(c.spec?.parameters?.scope, 'Cluster');
  assert.deepEqual(ingressClassKind.table.row(c, 0).slice(0, 3), ['c', 'a.io/b', 'Params.k8s.example.com/p']);
  assert.deepEqual(ingressClassKind.table.row(ingressClass({ controller: 'a.io/b' }), 0).slice(2, 3), ['<none>']);
});

const policy = (spec: PolicyIn['spec']): PolicyIn => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'p', namespace: 'default' },
  spec,
});
const policyErrs = (p: PolicyIn): string[] => networkPolicyKind.validate!(p, undefined).map(fieldErrorText);
const policyCases: [string, PolicyIn, string[]][] = [
  [
    'valid',
    policy({
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 80, endPort: 90 }] }],
    }),
    [],
  ],
  ['peer empty', policy({ podSelector: {}, ingress: [{ from: [{}] }] }), ['spec.ingress[0].from[0]: Required value: must specify a peer']],
  [
    'ipBlock with selector',
    policy({ podSelector: {}, egress: [{ to: [{ podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
    ['spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer'],
  ],
  [
    'bad cidr',
    policy({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] }),
    ['spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": not a valid CIDR'],
  ],
  [
    'cidr missing',
    policy({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '' } }] }] }),
    ['spec.ingress[0].from[0].ipBlock.cidr: Required value'],
  ],
  [
    'except outside',
    policy({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24', '10.0.0.0/16'] } }] }] }),
    [
      'spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`',
      'spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`',
    ],
  ],
  [
    'IPv6 except',
    policy({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'fd00::/64', except: ['fd00::/80', 'fd01::/80'] } }] }] }),
    ['spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: "fd01::/80": must be a strict subset of `cidr`'],
  ],
  [
    'protocol',
    policy({ podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP', port: 1 }] }] }),
    ['spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"'],
  ],
  [
    'endPort below port',
    policy({ podSelector: {}, ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }),
    ['spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`'],
  ],
  [
    'endPort with named port',
    policy({ podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 80 }] }] }),
    ['spec.ingress[0].ports[0].endPort: Invalid value: 80: may not be specified when `port` is non-numeric'],
  ],
  [
    'endPort without port',
    policy({ podSelector: {}, ingress: [{ ports: [{ endPort: 80 }] }] }),
    ['spec.ingress[0].ports[0].endPort: Invalid value: 80: may not be specified when `port` is not specified'],
  ],
  [
    'bad named port',
    policy({ podSelector: {}, ingress: [{ ports: [{ port: 'HTTP' }] }] }),
    [
      'spec.ingress[0].ports[0].port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.ingress[0].ports[0].port: Invalid value: "HTTP": must contain at least one letter (a-z)',
    ],
  ],
  [
    'policyTypes unknown',
    policy({ podSelector: {}, policyTypes: ['Sideways'] }),
    ['spec.policyTypes[0]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"'],
  ],
  [
    'policyTypes too many',
    policy({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] }),
    ['spec.policyTypes: Invalid value: ["Ingress","Egress","Ingress"]: may not specify more than two policyTypes'],
  ],
  [
    'selector operator',
    policy({ podSelector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } }),
    ['spec.podSelector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator'],
  ],
];
for (const [name, obj, want] of policyCases) test(`NetworkPolicy validation: ${name}`, () => assert.deepEqual(policyErrs(obj), want));

test('NetworkPolicy defaults: protocol TCP, policyTypes from the rules', () => {
  const a = policy({ podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] });
  networkPolicyKind.defaults!(a);
  assert.deepEqual(a.spec?.policyTypes, ['Ingress']);
  assert.equal(a.spec?.ingress?.[0]?.ports?.[0]?.protocol, 'TCP');
  const b = policy({ podSelector: {}, egress: [{}] });
  networkPolicyKind.defaults!(b);
  assert.deepEqual(b.spec?.policyTypes, ['Ingress', 'Egress']);
  const c = policy({ podSelector: {}, egress: [{}], policyTypes: ['Egress'] });
  networkPolicyKind.defaults!(c);
  assert.deepEqual(c.spec?.policyTypes, ['Egress']);
});

test('NetworkPolicy table: POD-SELECTOR', () => {
  assert.deepEqual(networkPolicyKind.table.row(policy({ podSelector: {} }), 0).slice(0, 2), ['p', '<none>']);
  assert.deepEqual(networkPolicyKind.table.row(policy({ podSelector: { matchLabels: { app: 'web' } } }), 0).slice(0, 2), ['p', 'app=web']);
  assert.deepEqual(
    networkPolicyKind.table.columns.map((c) => c.name),
    ['Name', 'Pod-Selector', 'Age'],
  );
});

test('CIDR parsing and subsets', () => {
  assert.ok(strictSubset(parseCidr('10.0.0.0/8')!, parseCidr('10.200.0.0/16')!));
  assert.ok(!strictSubset(parseCidr('10.0.0.0/8')!, parseCidr('11.0.0.0/16')!));
  assert.ok(!strictSubset(parseCidr('10.0.0.0/8')!, parseCidr('fd00::/64')!));
  assert.equal(parseCidr('10.0.0.1'), undefined);
  assert.equal(parseCidr('::ffff:10.0.0.0/104')?.prefix, 104);
  assert.equal(parseCidr('fd00::/129'), undefined);
});
