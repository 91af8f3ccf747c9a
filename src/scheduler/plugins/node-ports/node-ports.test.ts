import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, portsConflict, REASON } from './node-ports.js';
import { info, mkNode, mkNodeInfo, mkPod, passing, runFilter } from '../../testing/fixtures.js';

test('host ports in use on a node reject pods wanting the same port', () => {
  const nodes = [mkNodeInfo(mkNode('a'), [mkPod('x', { hostPort: 8080 })]), mkNodeInfo(mkNode('b'), [mkPod('y', { hostPort: 9090 })])];
  const r = runFilter(create(), info(mkPod('p', { hostPort: 8080 })), nodes);
  assert.deepEqual(passing(r), ['b']);
  assert.deepEqual(r.filter.get('a')?.reasons, [REASON]);
  // no host ports: PreFilter skips
  assert.equal(runFilter(create(), info(mkPod('q')), nodes).pre?.code, 'Skip');
});

test('port conflicts honour protocol and host IP', () => {
  assert.equal(portsConflict({ ip: '0.0.0.0', protocol: 'TCP', port: 80 }, { ip: '10.0.0.1', protocol: 'TCP', port: 80 }), true);
  assert.equal(portsConflict({ ip: '10.0.0.2', protocol: 'TCP', port: 80 }, { ip: '10.0.0.1', protocol: 'TCP', port: 80 }), false);
  assert.equal(portsConflict({ ip: '0.0.0.0', protocol: 'UDP', port: 80 }, { ip: '0.0.0.0', protocol: 'TCP', port: 80 }), false);
});
