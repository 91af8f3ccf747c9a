// A server on the wildcard address answers UDP queries from the address they were sent to when that
// address is one of its `udpAddresses`: the case of pods whose queries the service proxy DNATs to the
// node's address (a reply from another address is not translated back, and the pod drops it). On
// Linux every 127.x.y.z is local, so 127.0.0.2 plays the node's address and the asker sits on
// 127.0.0.1, where the route back makes a wildcard socket answer from 127.0.0.1.

import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { describe, it } from 'node:test';
import { nullLogger } from '../../base/log.js';
import { startClusterDns } from './index.js';
import { createFakeSource, service } from './testing/fake-source.js';
import { decodeReply, makeQuery } from './testing/dns-client.js';

/** One query from 127.0.0.1 to `host`:`port`; the reply's source address and its A records. */
function ask(host: string, port: number): Promise<{ from: string; answers: string[] } | undefined> {
  const sock = createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sock.close();
      resolve(undefined);
    }, 2000);
    sock.on('message', (m, r: RemoteInfo) => {
      clearTimeout(timer);
      sock.close();
      const answers = (decodeReply(m).answers ?? []).flatMap((a) => (a.type === 'A' ? [String(a.data)] : []));
      resolve({ from: r.address, answers });
    });
    sock.bind(0, '127.0.0.1', () => sock.send(makeQuery('web.default.svc.cluster.local', 'A'), port, host));
  });
}

describe('UDP replies come from the address asked', { skip: process.platform !== 'linux' && 'needs 127.0.0.0/8 local (Linux)' }, () => {
  const source = () => createFakeSource([service('default', 'web', { clusterIP: '10.96.0.77', ports: [{ port: 80 }] })]);

  it('with the address among udpAddresses, the reply comes from it', async () => {
    const dns = await startClusterDns({
      source: source(),
      listen: { host: '0.0.0.0', port: 0 },
      udpAddresses: ['127.0.0.2'],
      upstreams: [],
      log: nullLogger,
    });
    try {
      assert.deepEqual(await ask('127.0.0.2', dns.port), { from: '127.0.0.2', answers: ['10.96.0.77'] });
      // every other address is still served, by the wildcard socket
      assert.deepEqual(await ask('127.0.0.1', dns.port), { from: '127.0.0.1', answers: ['10.96.0.77'] });
    } finally {
      await dns.stop();
    }
  });

  it('without it, the wildcard socket answers from the route back (what pods dropped)', async () => {
    const dns = await startClusterDns({ source: source(), listen: { host: '0.0.0.0', port: 0 }, upstreams: [], log: nullLogger });
    try {
      assert.equal((await ask('127.0.0.2', dns.port))?.from, '127.0.0.1');
    } finally {
      await dns.stop();
    }
  });

  it('a second server cannot take the port: TCP refuses it before any address socket is bound', async () => {
    const first = await startClusterDns({
      source: source(),
      listen: { host: '0.0.0.0', port: 0 },
      udpAddresses: ['127.0.0.2'],
      upstreams: [],
      log: nullLogger,
    });
    try {
      await assert.rejects(
        startClusterDns({
          source: source(),
          listen: { host: '0.0.0.0', port: first.port },
          udpAddresses: ['127.0.0.2'],
          upstreams: [],
          log: nullLogger,
        }),
        /cannot listen on 0\.0\.0\.0:\d+.*EADDRINUSE/,
      );
      assert.equal((await ask('127.0.0.2', first.port))?.from, '127.0.0.2', 'the first server still answers');
    } finally {
      await first.stop();
    }
  });
});
