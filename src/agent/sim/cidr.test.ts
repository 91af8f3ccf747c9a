import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockCidr, blockCount, blockIndexOf, createPodIpAllocator, intToIp, ipToInt, nodeIpForBlock, parseCidr } from './cidr.js';

test('ranges split into /24 blocks', () => {
  const c = parseCidr('10.244.0.0/16');
  assert.equal(blockCount(c), 256);
  assert.equal(blockCidr(c, 0), '10.244.0.0/24');
  assert.equal(blockCidr(c, 255), '10.244.255.0/24');
  assert.throws(() => blockCidr(c, 256));
  assert.equal(blockIndexOf(c, '10.244.7.0/24'), 7);
  assert.equal(blockIndexOf(c, '10.245.0.0/24'), undefined);
  assert.equal(blockIndexOf(c, '10.244.7.0/25'), undefined);
  assert.equal(blockCount(parseCidr('10.128.0.0/10')), 16384);
  assert.equal(blockCount(parseCidr('10.0.0.0/25')), 0);
  assert.equal(parseCidr('10.244.3.7/16').base, ipToInt('10.244.0.0'));
  assert.throws(() => parseCidr('10.244.0.0'));
  assert.throws(() => parseCidr('300.1.1.1/8'));
  assert.equal(intToIp(ipToInt('192.168.1.254')), '192.168.1.254');
  assert.equal(nodeIpForBlock(0), '10.200.0.2');
  assert.equal(nodeIpForBlock(300), '10.200.1.46');
});

test('pod IPs: .2 to .254, next-fit, released addresses come back after the others', () => {
  const a = createPodIpAllocator('10.244.3.0/24');
  assert.equal(a.allocate(), '10.244.3.2');
  assert.equal(a.allocate(), '10.244.3.3');
  assert.equal(a.release('10.244.3.2'), true);
  assert.equal(a.release('10.244.3.2'), false);
  assert.equal(a.allocate(), '10.244.3.4');
  assert.equal(a.used(), 2);
  assert.equal(a.reserve('10.244.3.100'), true);
  assert.equal(a.reserve('10.244.3.100'), false);
  assert.equal(a.reserve('10.244.4.5'), false);
  assert.equal(a.reserve('10.244.3.1'), false);
  const seen = new Set<string>();
  for (let ip = a.allocate(); ip; ip = a.allocate()) seen.add(ip);
  assert.equal(a.used(), 253);
  assert.ok(seen.has('10.244.3.2'), 'the freed address is reused once the range wraps');
  assert.ok(seen.has('10.244.3.254') && !seen.has('10.244.3.255') && !seen.has('10.244.3.1'));
  assert.equal(a.allocate(), undefined);
  assert.equal(a.release('10.244.3.200'), true);
  assert.equal(a.allocate(), '10.244.3.200');
});
