// The userspace proxy's UDP path with real sockets on loopback: echo both ways through a cluster IP
// and a node port (the reply comes from the service address), sessions per client address:port with
// round-robin between them, the idle timeout, affinity, endpoint removal, drops without endpoints,
// and garbage datagrams.

import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { nullLogger } from '../../../base/log.js';
import { createStaticAddressManager } from './addresses.js';
import { createUserspaceBackend, type UserspaceBackend } from './backend.js';
import { startUdpEcho, udpRoundTrip, type EchoServer } from './testing/echo-servers.js';
import { endpoints, freePort, servicePort } from './testing/model.js';

const servers: EchoServer[] = [];
const backends: UserspaceBackend[] = [];
const clients: UdpSocket[] = [];

async function echo(name: string): Promise<EchoServer> {
  const s = await startUdpEcho(name);
  servers.push(s);
  return s;
}

function backend(udpIdleMs = 250): UserspaceBackend {
  const b = createUserspaceBackend({ log: nullLogger, addressManager: createStaticAddressManager(), udpIdleMs });
  backends.push(b);
  return b;
}

async function client(address = '127.0.0.1'): Promise<UdpSocket> {
  const s = createSocket('udp4');
  clients.push(s);
  await new Promise<void>((r) => s.bind(0, address, () => r()));
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const b of backends.splice(0)) await b.cleanup();
  for (const s of servers.splice(0)) await s.close();
});

describe('userspace proxy, UDP', () => {
  test('echo both ways through a cluster IP and a node port; replies come from the service address', async () => {
    const a = await echo('a');
    const [port, nodePort] = [await freePort(), await freePort()];
    const b = backend();
    await b.apply([
      servicePort('kube-system/dns:dns', {
        protocol: 'UDP',
        clusterIPs: ['127.77.1.1'],
        port,
        nodePort,
        clusterEndpoints: endpoints(a.port),
      }),
    ]);
    const c = await client();
    const from: string[] = [];
    c.on('message', (_m, r) => from.push(`${r.address}:${r.port}`));
    assert.equal(await udpRoundTrip(c, '127.77.1.1', port, 'q1'), 'a|q1');
    assert.equal(await udpRoundTrip(c, '127.0.0.1', nodePort, 'q2'), 'a|q2');
    assert.deepEqual(from, [`127.77.1.1:${port}`, `127.0.0.1:${nodePort}`]);
    // A connected client socket (as resolvers use) accepts the reply only from the address it sent to.
    const connected = createSocket('udp4');
    clients.push(connected);
    await new Promise<void>((r) => connected.connect(port, '127.77.1.1', () => r()));
    const reply = new Promise<string>((r) => connected.once('message', (m) => r(String(m))));
    connected.send('q3');
    assert.equal(await reply, 'a|q3');
    const st = b.stats().ports[0];
    assert.ok(st);
    assert.equal(st.datagramsIn, 3);
    assert.equal(st.datagramsOut, 3);
    assert.equal(st.bytesIn, 6);
    assert.equal(st.bytesOut, 12);
  });

  test('one session per client address:port; sessions are spread round-robin', async () => {
    const [a, z] = [await echo('a'), await echo('z')];
    const port = await freePort();
    const b = backend(5000);
    await b.apply([
      servicePort('default/u', { protocol: 'UDP', clusterIPs: ['127.77.1.2'], port, clusterEndpoints: endpoints(a.port, z.port) }),
    ]);
    const [c1, c2] = [await client(), await client()];
    const first = await udpRoundTrip(c1, '127.77.1.2', port, 'x');
    const second = await udpRoundTrip(c2, '127.77.1.2', port, 'x');
    assert.deepEqual([first, second], ['a|x', 'z|x']);
    for (let i = 0; i < 3; i++) {
      assert.equal(await udpRoundTrip(c1, '127.77.1.2', port, 'y'), 'a|y');
      assert.equal(await udpRoundTrip(c2, '127.77.1.2', port, 'y'), 'z|y');
    }
    assert.equal(b.stats().ports[0]?.active, 2);
    // Each session has its own socket towards the endpoint.
    assert.equal(new Set(a.peers).size, 1);
  });

  test('an idle session ends after the idle timeout; the next datagram opens a new one', async () => {
    const [a, z] = [await echo('a'), await echo('z')];
    const port = await freePort();
    const b = backend(100);
    await b.apply([
      servicePort('default/idle', { protocol: 'UDP', clusterIPs: ['127.77.1.3'], port, clusterEndpoints: endpoints(a.port, z.port) }),
    ]);
    const c = await client();
    assert.equal(await udpRoundTrip(c, '127.77.1.3', port, '1'), 'a|1');
    await sleep(50);
    assert.equal(await udpRoundTrip(c, '127.77.1.3', port, '2'), 'a|2', 'activity keeps the session');
    await sleep(300);
    assert.equal(b.stats().ports[0]?.active, 0);
    assert.equal(await udpRoundTrip(c, '127.77.1.3', port, '3'), 'z|3', 'a new session, the next endpoint');
  });

  test('session affinity keeps a client IP on one endpoint across sessions', async () => {
    const [a, z] = [await echo('a'), await echo('z')];
    const port = await freePort();
    const b = backend(50);
    await b.apply([
      servicePort('default/aff', {
        protocol: 'UDP',
        clusterIPs: ['127.77.1.4'],
        port,
        affinityTimeoutSeconds: 30,
        clusterEndpoints: endpoints(a.port, z.port),
      }),
    ]);
    const got = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const c = await client('127.0.0.31'); // a new source port each time, the same IP
      got.add((await udpRoundTrip(c, '127.77.1.4', port, 'x')).split('|')[0] ?? '');
    }
    assert.equal(got.size, 1);
  });

  test('removing an endpoint ends its sessions; no endpoints drops datagrams', async () => {
    const [a, z] = [await echo('a'), await echo('z')];
    const port = await freePort();
    const b = backend(5000);
    const spec = servicePort('default/rm', {
      protocol: 'UDP',
      clusterIPs: ['127.77.1.5'],
      port,
      clusterEndpoints: endpoints(a.port, z.port),
    });
    await b.apply([spec]);
    const [c1, c2] = [await client(), await client()];
    assert.equal(await udpRoundTrip(c1, '127.77.1.5', port, 'x'), 'a|x');
    assert.equal(await udpRoundTrip(c2, '127.77.1.5', port, 'x'), 'z|x');
    await b.apply([{ ...spec, clusterEndpoints: endpoints(z.port) }]);
    assert.equal(b.stats().ports[0]?.active, 1);
    assert.equal(await udpRoundTrip(c1, '127.77.1.5', port, 'y'), 'z|y', 'the client of a is moved to z');
    assert.equal(await udpRoundTrip(c2, '127.77.1.5', port, 'y'), 'z|y');
    await b.apply([{ ...spec, clusterEndpoints: [] }]);
    await assert.rejects(udpRoundTrip(c1, '127.77.1.5', port, 'dropped', 300), /no UDP reply/);
    assert.equal(b.stats().ports[0]?.noEndpoint, 1);
  });

  test('an endpoint that is gone (ICMP unreachable) sends the client to the next one', async () => {
    const a = await echo('a');
    const dead = await freePort();
    const port = await freePort();
    const b = backend(5000);
    await b.apply([
      servicePort('default/icmp', { protocol: 'UDP', clusterIPs: ['127.77.1.6'], port, clusterEndpoints: endpoints(dead, a.port) }),
    ]);
    const c = await client();
    // The first datagram goes to the dead port and is lost; its ICMP error ends the session.
    await assert.rejects(udpRoundTrip(c, '127.77.1.6', port, 'lost', 300));
    assert.equal(await udpRoundTrip(c, '127.77.1.6', port, 'again'), 'a|again');
    assert.ok((b.stats().ports[0]?.errors ?? 0) >= 1);
  });

  test('garbage and empty datagrams are forwarded as they are, and nothing breaks', async () => {
    const a = await echo('');
    const port = await freePort();
    const b = backend();
    await b.apply([
      servicePort('default/junk', { protocol: 'UDP', clusterIPs: ['127.77.1.7'], port, clusterEndpoints: endpoints(a.port) }),
    ]);
    const c = await client();
    const big = Buffer.alloc(60_000, 0xfe);
    const reply = new Promise<Buffer>((r) => c.once('message', (m) => r(m)));
    c.send(big, port, '127.77.1.7');
    assert.equal((await reply).length, 60_000);
    assert.equal(await udpRoundTrip(c, '127.77.1.7', port, ''), '');
  });
});
