import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podCidrConflicts, podCidrRefusal, staleBridgeAddresses } from './pod-cidr-guard.js';

const own = 'tdm00000001';

test('a range routed to another device is a conflict; its own bridge, wider routes and proto 116 are not', () => {
  const routes = [
    { dst: 'default', dev: 'eth0' },
    { dst: '10.0.0.0/8', dev: 'tun0' },
    { dst: '10.42.0.0/24', dev: own, protocol: 'kernel' },
    { dst: '10.42.1.0/24', dev: 'eth0', protocol: '116' },
    { dst: '192.168.1.0/24', dev: 'eth0' },
  ];
  assert.deepEqual(podCidrConflicts('10.42.0.0/24', own, routes), []);
  const another = { dst: '10.42.0.0/24', dev: 'tdm9abcdef0', protocol: 'kernel' };
  assert.deepEqual(podCidrConflicts('10.42.0.0/24', own, [...routes, another]), [another]);
  // a narrower route inside the range takes part of it
  const host = { dst: '10.42.0.7', dev: 'docker0' };
  assert.deepEqual(podCidrConflicts('10.42.0.0/24', own, [host]), [host]);
  assert.deepEqual(podCidrConflicts('10.43.0.0/24', own, [another, host]), []);
});

test('the refusal names the route and the fix', () => {
  const m = podCidrRefusal('10.42.0.0/24', [{ dst: '10.42.0.0/24', dev: 'tdm9abcdef0' }]);
  assert.match(m, /10\.42\.0\.0\/24 dev tdm9abcdef0/);
  assert.match(m, /tandem down --data-dir/);
  assert.match(m, /--cluster-cidr 10\.43\.0\.0\/16/);
  assert.match(podCidrRefusal('10.42.0.0/24', [{ dst: '10.42.0.0/24', dev: 'docker0' }]), /--pod-cidr.*ip route del 10\.42\.0\.0\/24/);
});

test('addresses of the own bridge outside the current range are stale', () => {
  const addrs = [
    { local: '10.42.0.1', prefixlen: 24 },
    { local: '10.99.3.1', prefixlen: 24 },
  ];
  assert.deepEqual(staleBridgeAddresses('10.42.0.0/24', addrs), [{ local: '10.99.3.1', prefixlen: 24 }]);
  assert.deepEqual(staleBridgeAddresses('10.99.3.0/24', addrs), [{ local: '10.42.0.1', prefixlen: 24 }]);
  assert.deepEqual(staleBridgeAddresses('10.42.0.0/25', [{ local: '10.42.0.1', prefixlen: 24 }]).length, 1);
});
