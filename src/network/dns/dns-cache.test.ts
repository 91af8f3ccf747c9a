// The forwarding cache on its own: bounded size (least recently used goes first), expiry by TTL,
// and nothing kept for answers that may not be cached.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock } from '../../base/testing/manual-clock.js';
import { cacheKey, createDnsCache } from './dns-cache.js';
import type { UpstreamAnswer } from './upstream-answer.js';
import { canonicalIp, dashedToIp, reverseToIp } from './names.js';

const answer = (cacheSeconds: number): UpstreamAnswer => ({ buf: Buffer.alloc(12), rcode: 0, truncated: false, ttls: [], cacheSeconds });

describe('dns cache', () => {
  it('forgets the least recently used entry beyond its bound', () => {
    const clock = createManualClock(0);
    const c = createDnsCache(clock, 2);
    c.put('a', answer(60));
    c.put('b', answer(60));
    assert.ok(c.get('a')); // a is now the most recent
    c.put('c', answer(60));
    assert.equal(c.size(), 2);
    assert.ok(c.get('a'));
    assert.equal(c.get('b'), undefined);
    assert.ok(c.get('c'));
  });

  it('expires entries after their TTL and reports their age', () => {
    const clock = createManualClock(0);
    const c = createDnsCache(clock);
    c.put('a', answer(10));
    clock.advance(4_500);
    assert.equal(c.get('a')?.ageSeconds, 4);
    clock.advance(5_500);
    assert.equal(c.get('a'), undefined);
    c.put('z', answer(0));
    assert.equal(c.get('z'), undefined, 'TTL 0 is never kept');
  });

  it('keys questions without regard to case', () => {
    assert.equal(cacheKey(['WWW', 'Example'], 1, 1), cacheKey(['www', 'example'], 1, 1));
  });
});

describe('names', () => {
  it('reads dashed pod addresses and reverse names, and spells IPv6 one way', () => {
    assert.equal(dashedToIp('10-1-2-3'), '10.1.2.3');
    assert.equal(dashedToIp('fd00--1'), 'fd00::1');
    assert.equal(dashedToIp('10-1-2-300'), undefined);
    assert.equal(reverseToIp(['4', '3', '2', '1', 'in-addr', 'arpa']), '1.2.3.4');
    assert.equal(reverseToIp(['04', '3', '2', '1', 'in-addr', 'arpa']), undefined);
    assert.equal(canonicalIp('FD00::1'), 'fd00:0000:0000:0000:0000:0000:0000:0001');
    assert.equal(canonicalIp('::ffff:1.2.3.4'), '0000:0000:0000:0000:0000:ffff:0102:0304');
  });
});
