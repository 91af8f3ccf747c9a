// Which UDP conntrack entries must go when service ports change.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProxyServicePort } from '../model.js';
import { matchesFlow, parseUdpEntries, staleUdpFlows } from './stale-udp.js';

const ep = (ip: string) => ({ ip, port: 53, local: false });
function dns(eps: string[], more: Partial<ProxyServicePort> = {}): ProxyServicePort {
  return {
    id: 'kube-system/dns:dns',
    namespace: 'kube-system',
    name: 'dns',
    portName: 'dns',
    protocol: 'UDP',
    clusterIPs: ['10.96.0.10'],
    port: 53,
    clusterEndpoints: eps.map(ep),
    nodePortEndpoints: eps.map(ep),
    ...more,
  };
}
const fmt = (a: string[][]) => a.map((x) => x.join(' '));

describe('staleUdpFlows', () => {
  it('an endpoint that left', () => {
    assert.deepEqual(fmt(staleUdpFlows([dns(['10.244.0.5', '10.244.0.6'])], [dns(['10.244.0.6'])])), [
      '-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.0.5',
    ]);
  });
  it('a service port that went away', () => {
    assert.deepEqual(fmt(staleUdpFlows([dns(['10.244.0.5'])], [])), ['-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53']);
  });
  it('a first endpoint (flows of the rejected time), node ports too', () => {
    assert.deepEqual(fmt(staleUdpFlows([dns([], { nodePort: 30053 })], [dns(['10.244.0.5'], { nodePort: 30053 })])), [
      '-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53',
      '-D -p udp --orig-port-dst 30053',
    ]);
  });
  it('node-port endpoints that left', () => {
    assert.deepEqual(fmt(staleUdpFlows([dns(['10.244.0.5'], { nodePort: 30053 })], [dns(['10.244.0.6'], { nodePort: 30053 })])), [
      '-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.0.5',
      '-D -p udp --orig-port-dst 30053 --dst-nat 10.244.0.5',
    ]);
  });
  it('nothing for TCP or unchanged ports', () => {
    assert.deepEqual(staleUdpFlows([dns(['10.244.0.5'])], [dns(['10.244.0.5'])]), []);
    assert.deepEqual(staleUdpFlows([dns(['10.244.0.5'], { protocol: 'TCP' })], []), []);
  });
});

describe('conntrack listing', () => {
  it('matches filters against listed entries', () => {
    const [e] = parseUdpEntries(
      'udp      17 28 src=192.0.2.10 dst=10.96.0.10 sport=40404 dport=80 src=10.244.0.5 dst=10.244.0.1 sport=8080 dport=40404 mark=0 use=1\n',
    );
    assert.deepEqual(e, { origDst: '10.96.0.10', origDport: 80, replySrc: '10.244.0.5' });
    assert.ok(matchesFlow(['-D', '-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '80', '--dst-nat', '10.244.0.5'], e!));
    assert.ok(!matchesFlow(['-D', '-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '80', '--dst-nat', '10.244.0.6'], e!));
    assert.ok(matchesFlow(['-D', '-p', 'udp', '--orig-port-dst', '80'], e!));
  });
});
