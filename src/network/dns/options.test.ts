// Options and upstream lists: resolv.conf parsing, skipping ourselves, and clear errors for bad input.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { nullLogger } from '../../base/log.js';
import { startClusterDns } from './index.js';
import { createFakeSource } from './testing/fake-source.js';
import { parseResolvConf, parseUpstream, withoutSelf } from './upstreams.js';

describe('upstreams', () => {
  it('reads nameserver lines of resolv.conf, ignoring comments, options and zone indexes', () => {
    const text =
      '# generated\nsearch example\nnameserver 10.0.0.2\nnameserver fe80::1%eth0\noptions ndots:5\n;nameserver 1.1.1.1\nnameserver bogus\n';
    assert.deepEqual(parseResolvConf(text), [
      { host: '10.0.0.2', port: 53 },
      { host: 'fe80::1', port: 53 },
    ]);
  });

  it('parses upstream options with and without ports, and names what is wrong', () => {
    assert.deepEqual(parseUpstream('10.0.0.2'), { host: '10.0.0.2', port: 53 });
    assert.deepEqual(parseUpstream('10.0.0.2:5353'), { host: '10.0.0.2', port: 5353 });
    assert.deepEqual(parseUpstream('[fd00::2]:54'), { host: 'fd00::2', port: 54 });
    assert.deepEqual(parseUpstream('fd00::2'), { host: 'fd00::2', port: 53 });
    assert.throws(() => parseUpstream('dns.example'), /dns.example is not an IP address/);
    assert.throws(() => parseUpstream('10.0.0.2:70000'), /port must be 1..65535/);
  });

  it('skips itself: its own address, or local ones when listening everywhere on 53', () => {
    const ups = [
      { host: '10.96.0.10', port: 53 },
      { host: '127.0.0.53', port: 53 },
      { host: '8.8.8.8', port: 53 },
    ];
    assert.deepEqual(withoutSelf(ups, { host: '10.96.0.10', port: 53 }), ups.slice(1));
    assert.deepEqual(withoutSelf(ups, { host: '0.0.0.0', port: 53 }), [ups[0], ups[2]]);
    assert.deepEqual(withoutSelf(ups, { host: '0.0.0.0', port: 1053 }), ups);
  });

  it('uses resolv.conf when no upstreams are given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dns-'));
    const file = join(dir, 'resolv.conf');
    writeFileSync(file, 'nameserver 192.0.2.53\n');
    const dns = await startClusterDns({
      source: createFakeSource(),
      listen: { host: '127.0.0.1', port: 0 },
      resolvConf: file,
      log: nullLogger,
    });
    try {
      assert.deepEqual(dns.upstreams, [{ host: '192.0.2.53', port: 53 }]);
      assert.equal(dns.port, dns.udpPort);
      assert.equal(dns.udpPort, dns.tcpPort);
    } finally {
      await dns.stop();
    }
  });
});

describe('bad options', () => {
  const base = { listen: { host: '127.0.0.1', port: 0 }, upstreams: [], log: nullLogger };
  it('rejects a bad cluster domain, TTL or pod mode, and a missing data source', async () => {
    await assert.rejects(
      startClusterDns({ ...base, source: createFakeSource(), clusterDomain: 'Bad_Domain' }),
      /clusterDomain "Bad_Domain"/,
    );
    await assert.rejects(startClusterDns({ ...base, source: createFakeSource(), ttl: 7200 }), /ttl 7200/);
    await assert.rejects(startClusterDns({ ...base }), /needs a client, informers or a source/);
  });

  it('names the address it cannot listen on', async () => {
    const first = await startClusterDns({ ...base, source: createFakeSource() });
    try {
      await assert.rejects(
        startClusterDns({ ...base, source: createFakeSource(), listen: { host: '127.0.0.1', port: first.port } }),
        new RegExp(`cannot listen on 127.0.0.1:${first.port}`),
      );
    } finally {
      await first.stop();
    }
  });
});
