// The table as text: what a service port becomes, what an update rewrites and what it keeps.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProxyServicePort } from '../model.js';
import { renderDelete, renderFull, renderUpdate } from './render.js';
import { buildTableSpec } from './table-spec.js';

const ep = (ip: string, local = false) => ({ ip, port: 8080, local });
function web(more: Partial<ProxyServicePort> = {}): ProxyServicePort {
  return {
    id: 'default/web:http',
    namespace: 'default',
    name: 'web',
    portName: 'http',
    protocol: 'TCP',
    clusterIPs: ['10.96.0.10'],
    port: 80,
    clusterEndpoints: [ep('10.244.0.5'), ep('10.244.1.5')],
    nodePortEndpoints: [ep('10.244.0.5'), ep('10.244.1.5')],
    ...more,
  };
}
const opts = { table: 't', nodeIPs: ['192.0.2.10'] };
const lines = (text: string) => text.trim().split('\n');
const grep = (text: string, re: RegExp) => lines(text).filter((l) => re.test(l));

describe('nftables render', () => {
  it('replaces the whole table on a full render', () => {
    const text = renderFull(buildTableSpec([web()], opts));
    assert.deepEqual(lines(text).slice(0, 3), [
      'add table ip t',
      'delete table ip t',
      'add table ip t { comment "tandem service proxy"; }',
    ]);
    assert.ok(text.includes('add chain ip t nat-output { type nat hook output priority -100; policy accept; }'));
    assert.ok(text.includes('add chain ip t filter-output { type filter hook output priority -110; policy accept; }'));
    assert.ok(text.includes('add rule ip t masquerading masquerade fully-random'));
    assert.ok(text.includes('add element ip t nodeport-ips { 192.0.2.10, 127.0.0.1 }'));
  });

  it('spreads a cluster IP evenly over per-endpoint DNAT chains', () => {
    const text = renderFull(buildTableSpec([web()], opts));
    const [svc] = grep(text, /add element ip t service-ips/);
    assert.match(svc!, /\{ 10\.96\.0\.10 \. tcp \. 80 : goto svc-[0-9a-f]{8}-default\/web\/tcp\/http \}/);
    assert.equal(
      grep(text, /numgen random mod 2 vmap \{ 0 : goto ep-[0-9a-f]{8}-default\/web\/tcp\/http__10\.244\.0\.5\/8080, 1 : goto ep-/).length,
      1,
    );
    assert.equal(grep(text, /dnat to 10\.244\.0\.5:8080$/).length, 1);
    assert.equal(grep(text, /meta l4proto tcp dnat to 10\.244\.1\.5:8080$/).length, 1);
    assert.equal(grep(text, /ip daddr 10\.96\.0\.10 tcp dport 80 fib saddr type local jump mark-for-masquerade/).length, 1);
    assert.equal(grep(text, /ip saddr 10\.244\.0\.5 jump mark-for-masquerade/).length, 1, 'hairpin traffic is masqueraded');
  });

  it('masquerades traffic from outside the pod network when the pod CIDRs are known', () => {
    const text = renderFull(buildTableSpec([web()], { ...opts, podCIDRs: ['10.244.0.0/16'] }));
    assert.equal(grep(text, /ip daddr 10\.96\.0\.10 tcp dport 80 ip saddr != 10\.244\.0\.0\/16 jump mark-for-masquerade/).length, 1);
  });

  it('node ports: masquerade for remote endpoints, client address kept for local-only ones', () => {
    const remote = renderFull(buildTableSpec([web({ nodePort: 30080 })], opts));
    assert.equal(grep(remote, /add element ip t service-nodeports \{ tcp \. 30080 : goto ext-/).length, 1);
    assert.equal(grep(remote, /ext-\S+ jump mark-for-masquerade$/).length, 1);
    assert.equal(grep(remote, /ext-\S+ goto svc-/).length, 1, 'same endpoints: the node port reuses the service chain');
    const local = renderFull(buildTableSpec([web({ nodePort: 30080, nodePortEndpoints: [ep('10.244.0.5', true)] })], opts));
    assert.equal(grep(local, /ext-\S+ fib saddr type local jump mark-for-masquerade$/).length, 1);
    assert.equal(grep(local, /ext-\S+ goto ep-\S+__10\.244\.0\.5\/8080$/).length, 1);
  });

  it('rejects service ports and node ports without endpoints', () => {
    const text = renderFull(buildTableSpec([web({ protocol: 'UDP', nodePort: 30053, clusterEndpoints: [], nodePortEndpoints: [] })], opts));
    assert.ok(text.includes('add element ip t no-endpoint-services { 10.96.0.10 . udp . 80 : goto reject-chain }'));
    assert.ok(text.includes('add element ip t no-endpoint-nodeports { udp . 30053 : goto reject-chain }'));
    assert.ok(text.includes('add rule ip t reject-chain meta l4proto tcp reject with tcp reset'));
    assert.equal(grep(text, /add element ip t service-ips/).length, 0);
  });

  it('session affinity: one timed set per endpoint, looked up before the spread', () => {
    const text = renderFull(buildTableSpec([web({ affinityTimeoutSeconds: 60 })], opts));
    assert.equal(grep(text, /add set ip t aff-\S+ \{ type ipv4_addr; flags dynamic,timeout; timeout 60s; \}/).length, 2);
    assert.equal(grep(text, /svc-\S+ ip saddr @aff-\S+ goto ep-/).length, 2);
    assert.equal(grep(text, /ep-\S+ update @aff-\S+ \{ ip saddr \}/).length, 2);
  });

  it('updates rewrite changed chains only, keep affinity sets and delete emptied chains later', () => {
    const before = buildTableSpec([web({ affinityTimeoutSeconds: 60 })], opts);
    const after = buildTableSpec([web({ affinityTimeoutSeconds: 60, clusterEndpoints: [ep('10.244.0.5')], nodePortEndpoints: [] })], opts);
    const u = renderUpdate(before, after);
    assert.doesNotMatch(u.text, /delete table|nat-output/);
    assert.equal(grep(u.text, /^add set ip t aff-/).length, 0, 'the surviving endpoint keeps its affinity set');
    assert.equal(grep(u.text, /^delete set ip t aff-\S+__10\.244\.1\.5/).length, 1);
    assert.deepEqual(u.emptied.length, 1);
    assert.match(u.emptied[0]!, /^ep-\S+__10\.244\.1\.5\/8080$/);
    assert.equal(grep(u.text, /^flush chain ip t ep-\S+__10\.244\.1\.5\/8080$/).length, 1);
    assert.equal(grep(u.text, /^add rule ip t ep-/).length, 0, 'the unchanged endpoint chain is left alone');
    const later = renderUpdate(after, after, u.emptied);
    assert.equal(grep(later.text, /^delete chain ip t ep-\S+__10\.244\.1\.5\/8080$/).length, 1);
  });

  it('leaves IPv6 addresses out and counts them', () => {
    const spec = buildTableSpec(
      [web({ clusterIPs: ['fd00::10'] }), web({ id: 'x', name: 'x', clusterIPs: ['10.96.0.11', 'fd00::11'] })],
      opts,
    );
    assert.equal(spec.ports, 1);
    assert.equal(spec.skippedIPv6, 2);
  });

  it('deletes the table', () => {
    assert.equal(renderDelete('t'), 'add table ip t\ndelete table ip t\n');
  });
});
