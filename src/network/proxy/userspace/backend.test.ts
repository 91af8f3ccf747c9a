// The userspace proxy with real sockets on loopback: TCP through a cluster IP (a 127.x address, local
// without configuration) and a node port, round-robin, session affinity, endpoint changes in place,
// no endpoints, failed dials, idempotent applies, bad input, abrupt clients and cleanup.

import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { nullLogger } from '../../../base/log.js';
import { createManualClock } from '../../../base/testing/manual-clock.js';
import { createStaticAddressManager } from './addresses.js';
import { createUserspaceBackend, type UserspaceBackend } from './backend.js';
import { startTcpEcho, tcpRoundTrip, type EchoServer } from './testing/echo-servers.js';
import { endpoints, freePort, servicePort } from './testing/model.js';

const servers: EchoServer[] = [];
const backends: UserspaceBackend[] = [];
const sockets: Socket[] = [];

async function echo(name: string): Promise<EchoServer> {
  const s = await startTcpEcho(name);
  servers.push(s);
  return s;
}

function backend(o: Partial<Parameters<typeof createUserspaceBackend>[0]> = {}): UserspaceBackend {
  const b = createUserspaceBackend({ log: nullLogger, addressManager: createStaticAddressManager(), ...o });
  backends.push(b);
  return b;
}

async function trip(
  host: string,
  port: number,
  msg = 'hello',
  localAddress?: string,
): Promise<{ from: string; echo: string; socket: Socket }> {
  const r = await tcpRoundTrip(host, port, msg, localAddress);
  sockets.push(r.socket);
  return r;
}

/** Connects and resolves with how the connection ended: 'reset', 'refused', 'closed', or 'open' after 1 s. */
function fate(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve('open');
    }, 1000);
    s.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(t);
      resolve(e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ECONNRESET' ? 'reset' : String(e.code));
    });
    s.on('close', () => {
      clearTimeout(t);
      resolve('closed');
    });
    s.resume();
  });
}

const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const b of backends.splice(0)) await b.cleanup();
  for (const s of servers.splice(0)) await s.close();
});
after(() => undefined);

describe('userspace proxy, TCP', () => {
  test('echo through a cluster IP and through a node port', async () => {
    const a = await echo('a');
    const [port, nodePort] = [await freePort(), await freePort()];
    const b = backend();
    await b.apply([servicePort('default/web:http', { clusterIPs: ['127.77.0.1'], port, nodePort, clusterEndpoints: endpoints(a.port) })]);
    const viaCluster = await trip('127.77.0.1', port, 'ping-cluster');
    assert.deepEqual([viaCluster.from, viaCluster.echo], ['a', 'ping-cluster']);
    // 0.0.0.0:nodePort answers on 127.0.0.1 and on every other local address.
    const viaNode = await trip('127.0.0.1', nodePort, 'ping-node');
    assert.deepEqual([viaNode.from, viaNode.echo], ['a', 'ping-node']);
    const viaNode2 = await trip('127.3.4.5', nodePort, 'x');
    assert.equal(viaNode2.from, 'a');
    const st = b.stats().ports[0];
    assert.ok(st);
    assert.equal(st.connections, 3);
    assert.equal(st.active, 3);
    assert.deepEqual(st.listeners.sort(), [`0.0.0.0:${nodePort}`, `127.77.0.1:${port}`]);
    assert.ok(st.bytesIn >= 'ping-cluster'.length + 'ping-node'.length, `bytesIn ${st.bytesIn}`);
  });

  test('node port endpoints differ from cluster endpoints (externalTrafficPolicy Local applied by the model)', async () => {
    const [a, c] = [await echo('a'), await echo('c')];
    const [port, nodePort] = [await freePort(), await freePort()];
    const b = backend({ listenAddresses: ['127.0.0.1'] });
    await b.apply([
      servicePort('default/web:http', {
        clusterIPs: ['127.77.0.2'],
        port,
        nodePort,
        clusterEndpoints: endpoints(a.port, c.port),
        nodePortEndpoints: endpoints(c.port),
      }),
    ]);
    for (let i = 0; i < 3; i++) assert.equal((await trip('127.0.0.1', nodePort)).from, 'c');
  });

  test('round-robin over two endpoints', async () => {
    const [a, c] = [await echo('a'), await echo('c')];
    const port = await freePort();
    const b = backend();
    await b.apply([servicePort('default/rr', { clusterIPs: ['127.77.0.3'], port, clusterEndpoints: endpoints(a.port, c.port) })]);
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push((await trip('127.77.0.3', port)).from);
    assert.deepEqual(got, ['a', 'c', 'a', 'c']);
  });

  test('session affinity ClientIP: one client keeps its endpoint until the timeout passes idle', async () => {
    const [a, c] = [await echo('a'), await echo('c')];
    const port = await freePort();
    const clock = createManualClock(1_000_000);
    const b = backend({ clock });
    await b.apply([
      servicePort('default/sticky', {
        clusterIPs: ['127.77.0.4'],
        port,
        affinityTimeoutSeconds: 10,
        clusterEndpoints: endpoints(a.port, c.port),
      }),
    ]);
    const one = (await trip('127.77.0.4', port, 'x', '127.0.0.21')).from;
    for (let i = 0; i < 3; i++) {
      clock.advance(9_000); // each use renews the 10 s
      assert.equal((await trip('127.77.0.4', port, 'x', '127.0.0.21')).from, one);
    }
    // Another client IP gets the next endpoint in turn, and keeps it.
    const two = (await trip('127.77.0.4', port, 'x', '127.0.0.22')).from;
    assert.notEqual(two, one);
    assert.equal((await trip('127.77.0.4', port, 'x', '127.0.0.22')).from, two);
    // After more than 10 s without a new connection, the first client is balanced afresh.
    clock.advance(10_001);
    const again = (await trip('127.77.0.4', port, 'x', '127.0.0.21')).from;
    assert.equal(again, 'a', 'round-robin continues where it was (a, c, then a)');
  });

  test('endpoint removal closes only connections to the removed endpoint; listeners stay', async () => {
    const [a, c] = [await echo('a'), await echo('c')];
    const port = await freePort();
    const b = backend();
    const spec = servicePort('default/shrink', { clusterIPs: ['127.77.0.5'], port, clusterEndpoints: endpoints(a.port, c.port) });
    await b.apply([spec]);
    const toA = await trip('127.77.0.5', port);
    const toC = await trip('127.77.0.5', port);
    assert.deepEqual([toA.from, toC.from], ['a', 'c']);
    await b.apply([{ ...spec, clusterEndpoints: endpoints(c.port) }]);
    await closed(toA.socket);
    assert.ok(toA.socket.destroyed);
    // The connection to c still carries data.
    const more = await new Promise<string>((resolve) => {
      toC.socket.once('data', (d) => resolve(String(d)));
      toC.socket.write('still-there');
    });
    assert.equal(more, 'still-there');
    assert.equal((await trip('127.77.0.5', port)).from, 'c');
    assert.equal(b.stats().listeners, 1);
    assert.equal(b.stats().ports[0]?.clusterEndpoints, 1);
  });

  test('no endpoints: the connection is reset at once; endpoints added later are used by the same listener', async () => {
    const port = await freePort();
    const b = backend();
    const spec = servicePort('default/empty', { clusterIPs: ['127.77.0.6'], port, clusterEndpoints: [] });
    await b.apply([spec]);
    const t0 = Date.now();
    assert.equal(await fate('127.77.0.6', port), 'reset');
    assert.ok(Date.now() - t0 < 500, 'reset, not a timeout');
    assert.equal(b.stats().ports[0]?.noEndpoint, 1);
    const a = await echo('a');
    await b.apply([{ ...spec, clusterEndpoints: endpoints(a.port) }]);
    assert.equal((await trip('127.77.0.6', port)).from, 'a');
  });

  test('a failed dial tries the next endpoint; when none answers the client is reset', async () => {
    const a = await echo('a');
    const dead = await freePort(); // nothing listens there: connection refused
    const port = await freePort();
    const b = backend();
    await b.apply([servicePort('default/flaky', { clusterIPs: ['127.77.0.7'], port, clusterEndpoints: endpoints(dead, a.port) })]);
    for (let i = 0; i < 4; i++) assert.equal((await trip('127.77.0.7', port)).from, 'a');
    assert.ok((b.stats().ports[0]?.errors ?? 0) >= 2, 'each refused dial counts as an error');

    await b.apply([servicePort('default/flaky', { clusterIPs: ['127.77.0.7'], port, clusterEndpoints: endpoints(dead) })]);
    assert.equal(await fate('127.77.0.7', port), 'reset');
  });

  test('apply is idempotent and reuses listeners; a changed port moves the listener', async () => {
    const a = await echo('a');
    const [port, port2] = [await freePort(), await freePort()];
    const b = backend();
    const spec = servicePort('default/same', { clusterIPs: ['127.77.0.8'], port, clusterEndpoints: endpoints(a.port) });
    await b.apply([spec]);
    const live = await trip('127.77.0.8', port);
    await b.apply([spec]);
    await b.apply([structuredClone(spec)]);
    assert.equal(b.stats().listeners, 1);
    assert.equal(b.stats().ports[0]?.active, 1);
    assert.ok(!live.socket.destroyed, 'an open connection survives re-applies');
    await b.apply([{ ...spec, port: port2 }]);
    assert.equal(await fate('127.77.0.8', port), 'refused');
    assert.equal((await trip('127.77.0.8', port2)).from, 'a');
    await b.apply([]);
    assert.equal(b.stats().listeners, 0);
    assert.equal(await fate('127.77.0.8', port2), 'refused');
  });

  test('bad entries and unbindable addresses are reported by name; the rest is served', async () => {
    const a = await echo('a');
    const [port, taken] = [await freePort(), a.port];
    const b = backend();
    const good = servicePort('default/good', { clusterIPs: ['127.77.0.9'], port, clusterEndpoints: endpoints(a.port) });
    await assert.rejects(
      b.apply([
        good,
        servicePort('default/sctp', { protocol: 'SCTP', clusterIPs: ['127.77.0.10'], port, clusterEndpoints: [] }),
        servicePort('default/badport', { clusterIPs: ['127.77.0.11'], port: 70000, clusterEndpoints: [] }),
        servicePort('default/badip', { clusterIPs: ['10.0.0.300'], port, clusterEndpoints: [] }),
        // the echo server holds 127.0.0.1:taken already
        servicePort('default/busy', { clusterIPs: ['127.0.0.1'], port: taken, clusterEndpoints: endpoints(a.port) }),
      ]),
      (e: Error) => {
        for (const s of [
          'default/sctp: protocol SCTP',
          'default/badport: port 70000',
          'default/badip: cluster IP "10.0.0.300"',
          'default/busy: cannot listen',
        ])
          assert.match(e.message, new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        return true;
      },
    );
    assert.equal((await trip('127.77.0.9', port)).from, 'a');
  });

  test('abrupt and malformed clients do not disturb the proxy', async () => {
    const a = await echo('a');
    const port = await freePort();
    const b = backend();
    await b.apply([servicePort('default/rough', { clusterIPs: ['127.77.0.12'], port, clusterEndpoints: endpoints(a.port) })]);
    // RST mid-stream, RST before the endpoint is even dialled, a half-close, and garbage bytes.
    const r = await trip('127.77.0.12', port);
    r.socket.write(Buffer.alloc(64 * 1024, 7));
    r.socket.resetAndDestroy();
    for (let i = 0; i < 20; i++) {
      const s = connect({ host: '127.77.0.12', port });
      s.on('error', () => undefined);
      s.once('connect', () => s.resetAndDestroy());
    }
    const half = await trip('127.77.0.12', port, 'x');
    const tail = new Promise<string>((resolve) => {
      let got = '';
      half.socket.on('data', (d) => (got += String(d)));
      half.socket.on('end', () => resolve(got));
    });
    half.socket.end('after-fin'); // the endpoint still answers after our FIN, then closes its side
    assert.equal(await tail, 'after-fin');
    await new Promise((res) => setTimeout(res, 200));
    const ok = await trip('127.77.0.12', port, '\u0000\u00ff binary \r\n');
    assert.equal(ok.echo, '\u0000\u00ff binary \r\n');
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(a.open(), 1, 'the endpoint sees only the live connection');
  });

  test('cleanup closes listeners and connections', async () => {
    const a = await echo('a');
    const port = await freePort();
    const b = backend();
    await b.apply([servicePort('default/bye', { clusterIPs: ['127.77.0.13'], port, clusterEndpoints: endpoints(a.port) })]);
    const r = await trip('127.77.0.13', port);
    await b.cleanup();
    await closed(r.socket);
    assert.equal(await fate('127.77.0.13', port), 'refused');
    assert.deepEqual(b.stats(), { listeners: 0, clusterIPs: 0, ports: [] });
  });

  test('without an address manager (null) cluster IPs are not bound, node ports are', async () => {
    const a = await echo('a');
    const [port, nodePort] = [await freePort(), await freePort()];
    const lines: string[] = [];
    const log = { ...nullLogger, child: () => ({ ...nullLogger, warn: (m: string) => lines.push(m) }) };
    const b = createUserspaceBackend({ log, listenAddresses: ['127.0.0.1'], addressManager: null });
    backends.push(b);
    await b.apply([servicePort('default/np', { clusterIPs: ['127.77.0.14'], port, nodePort, clusterEndpoints: endpoints(a.port) })]);
    assert.equal(await fate('127.77.0.14', port), 'refused');
    assert.equal((await trip('127.0.0.1', nodePort)).from, 'a');
    assert.match(lines.join('\n'), /cluster IPs are not bound/);
  });
});
