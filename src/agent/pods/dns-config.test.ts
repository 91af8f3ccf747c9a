import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodSpec } from '../../api/gen/types.js';
import { podDnsSettings, type DnsSettings, type NodeDnsConfig } from './dns-config.js';
import type { HostOs } from './runtime-config.js';

const host: DnsSettings = { servers: ['192.0.2.53', '192.0.2.54'], searches: ['corp.example'], options: ['edns0', 'ndots:2'] };
const node: NodeDnsConfig = { host, clusterDns: ['10.96.0.10'], clusterDomain: 'cluster.local' };
const CLUSTER_SEARCH = ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];

const pod = (spec: Partial<PodSpec>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'web', uid: 'u1' },
  spec: { containers: [{ name: 'c' }], dnsPolicy: 'ClusterFirst', ...spec },
});

interface Row {
  name: string;
  spec: Partial<PodSpec>;
  os?: HostOs;
  node?: NodeDnsConfig;
  want: DnsSettings;
  warnings?: string[];
}

const rows: Row[] = [
  {
    name: 'ClusterFirst: cluster DNS only, cluster searches then the host, ndots:5',
    spec: {},
    want: { servers: ['10.96.0.10'], searches: [...CLUSTER_SEARCH, 'corp.example'], options: ['ndots:5'] },
  },
  { name: 'ClusterFirst on hostNetwork: the host', spec: { hostNetwork: true }, want: host },
  {
    name: 'ClusterFirstWithHostNet on hostNetwork: the cluster',
    spec: { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' },
    want: { servers: ['10.96.0.10'], searches: [...CLUSTER_SEARCH, 'corp.example'], options: ['ndots:5'] },
  },
  {
    name: 'ClusterFirstWithHostNet without hostNetwork: the cluster',
    spec: { dnsPolicy: 'ClusterFirstWithHostNet' },
    want: { servers: ['10.96.0.10'], searches: [...CLUSTER_SEARCH, 'corp.example'], options: ['ndots:5'] },
  },
  { name: 'Default: the host', spec: { dnsPolicy: 'Default' }, want: host },
  {
    name: 'None: only dnsConfig',
    spec: {
      dnsPolicy: 'None',
      dnsConfig: { nameservers: ['198.51.100.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '1' }] },
    },
    want: { servers: ['198.51.100.1'], searches: ['a.example'], options: ['ndots:1'] },
  },
  {
    name: 'ClusterFirst + dnsConfig: appended without duplicates, options overridden by name',
    spec: {
      dnsConfig: {
        nameservers: ['10.96.0.10', '198.51.100.1'],
        searches: ['svc.cluster.local', 'b.example'],
        options: [{ name: 'ndots', value: '2' }, { name: 'single-request-reopen' }],
      },
    },
    want: {
      servers: ['10.96.0.10', '198.51.100.1'],
      searches: [...CLUSTER_SEARCH, 'corp.example', 'b.example'],
      options: ['ndots:2', 'single-request-reopen'],
    },
  },
  {
    name: 'Default + dnsConfig: the host first, nameservers cut to 3 with a warning',
    spec: { dnsPolicy: 'Default', dnsConfig: { nameservers: ['198.51.100.1', '198.51.100.2'], options: [{ name: 'edns0' }] } },
    want: { servers: ['192.0.2.53', '192.0.2.54', '198.51.100.1'], searches: ['corp.example'], options: ['edns0', 'ndots:2'] },
    warnings: [
      'DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 192.0.2.53 192.0.2.54 198.51.100.1',
    ],
  },
  {
    name: 'no cluster DNS configured: ClusterFirst falls back to Default with MissingClusterDNS',
    spec: {},
    node: { ...node, clusterDns: [] },
    want: host,
    warnings: [
      'MissingClusterDNS: pod: "p_web(u1)". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.',
    ],
  },
  {
    name: 'no cluster domain: the host searches only',
    spec: {},
    node: { ...node, clusterDomain: '' },
    want: { servers: ['10.96.0.10'], searches: ['corp.example'], options: ['ndots:5'] },
  },
  {
    name: 'a custom cluster domain and the default namespace',
    spec: {},
    node: { ...node, clusterDomain: 'tandem.internal' },
    want: {
      servers: ['10.96.0.10'],
      searches: ['web.svc.tandem.internal', 'svc.tandem.internal', 'tandem.internal', 'corp.example'],
      options: ['ndots:5'],
    },
  },
  {
    name: 'Windows ClusterFirst: one suffix, the namespace one',
    spec: {},
    os: 'windows',
    want: { servers: ['10.96.0.10'], searches: ['web.svc.cluster.local'], options: ['ndots:5'] },
  },
  {
    name: 'Windows hostNetwork (HostProcess) with ClusterFirstWithHostNet: the host',
    spec: { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' },
    os: 'windows',
    want: { ...host, searches: ['corp.example'] },
  },
  {
    name: 'Windows None: the first of the pod searches',
    spec: { dnsPolicy: 'None', dnsConfig: { nameservers: ['198.51.100.1'], searches: ['a.example', 'b.example'] } },
    os: 'windows',
    want: { servers: ['198.51.100.1'], searches: ['a.example'], options: [] },
  },
];

for (const r of rows) {
  test(`pod DNS: ${r.name}`, () => {
    const got = podDnsSettings(pod(r.spec), r.node ?? node, r.os ?? 'linux');
    assert.deepEqual(got.dns, r.want);
    assert.deepEqual(
      got.warnings.map((w) => `${w.reason}: ${w.message}`),
      r.warnings ?? [],
    );
  });
}

test('pod DNS: search limits (32 paths, 253 characters each, 2048 in all) cut with a DNSConfigForming warning', () => {
  const many = Array.from({ length: 40 }, (_, i) => `s${i}.example`);
  const a = podDnsSettings(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['198.51.100.1'], searches: many } }), node, 'linux');
  assert.deepEqual(a.dns.searches, many.slice(0, 32));
  assert.match(
    a.warnings[0]?.message ?? '',
    /^Search Line limits were exceeded, some search paths have been omitted, the applied search line is: s0\.example s1/,
  );

  const tooLong = `${'a'.repeat(250)}.example`;
  const b = podDnsSettings(pod({ dnsConfig: { searches: [tooLong] } }), node, 'linux');
  assert.deepEqual(b.dns.searches, [...CLUSTER_SEARCH, 'corp.example']);
  assert.equal(b.warnings.length, 1);

  const wide = Array.from({ length: 10 }, (_, i) => `${String(i).repeat(60)}.${'x'.repeat(60)}.${'y'.repeat(60)}.${'z'.repeat(60)}`);
  const c = podDnsSettings(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['198.51.100.1'], searches: wide } }), node, 'linux');
  assert.ok(c.dns.searches.join(' ').length <= 2048);
  assert.equal(c.dns.searches.length, 8);
  assert.deepEqual(c.dns.searches, wide.slice(0, 8));
});
