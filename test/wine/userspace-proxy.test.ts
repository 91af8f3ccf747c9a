// The userspace service proxy run by the real Windows node.exe under Wine: a script applies a model
// whose endpoints are TCP and UDP echo servers on the Linux side, and this test reaches them through
// the Windows-side listeners (a cluster IP on 127.x, which Windows treats as loopback, and node ports
// on 127.0.0.1), checks that a service port without endpoints closes connections at once, and reads
// the Windows side's stats after a Ctrl-C. Wine is prepared by test/wine/setup.sh; without it this
// test fails, unless TANDEM_SKIP_WINE=1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startTcpEcho,
  startUdpEcho,
  tcpRoundTrip,
  udpRoundTrip,
  type EchoServer,
} from '../../src/network/proxy/userspace/testing/echo-servers.js';
import { freePort } from '../../src/network/proxy/userspace/testing/model.js';
import { startWindowsNode, startWineServer, stopWineServer, wineReady, winImport, winPath } from './wine.js';

const ready = wineReady();

const CLUSTER_IP = '127.88.0.1';

describe('the userspace proxy under node.exe in Wine', { skip: !ready }, () => {
  let scratch = '';
  const servers: EchoServer[] = [];
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'tandem-wine-proxy-'));
    startWineServer();
  });
  after(async () => {
    for (const s of servers) await s.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    if (ready) stopWineServer();
  });

  test('TCP and UDP through a cluster IP and node ports to Linux-side endpoints', async () => {
    const tcp = await startTcpEcho('linux-tcp');
    const udp = await startUdpEcho('linux-udp');
    servers.push(tcp, udp);
    const [port, tcpNode, udpNode, emptyPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const ep = (p: number) => [{ ip: '127.0.0.1', port: p, local: true }];
    const model = [
      { id: 'default/echo:tcp', protocol: 'TCP', port, nodePort: tcpNode, clusterEndpoints: ep(tcp.port) },
      { id: 'default/echo:udp', protocol: 'UDP', port, nodePort: udpNode, clusterEndpoints: ep(udp.port) },
      { id: 'default/empty:tcp', protocol: 'TCP', port: emptyPort, clusterEndpoints: [] },
    ].map((p) => ({
      namespace: 'default',
      name: p.id.split('/')[1],
      portName: '',
      clusterIPs: [CLUSTER_IP],
      nodePortEndpoints: p.clusterEndpoints,
      ...p,
    }));
    const file = join(scratch, 'proxy.mjs');
    writeFileSync(
      file,
      `import { createUserspaceBackend, createStaticAddressManager } from '${winImport('dist/src/network/proxy/userspace/index.js')}';
import { nullLogger } from '${winImport('dist/src/base/log.js')}';
const b = createUserspaceBackend({ log: nullLogger, addressManager: createStaticAddressManager(), listenAddresses: ['127.0.0.1'] });
await b.apply(${JSON.stringify(model)});
await b.apply(${JSON.stringify(model)});
console.log('READY ' + process.platform);
process.on('SIGINT', async () => {
  const stats = b.stats();
  await b.cleanup();
  console.log(JSON.stringify({ stats, after: b.stats().listeners }));
  process.exit(0);
});
setInterval(() => {}, 1000);
`,
    );
    const win = startWindowsNode([winPath(file)]);
    try {
      assert.equal(await win.waitForOutput(/READY \S+/, 60_000), 'READY win32');

      const viaCluster = await tcpRoundTrip(CLUSTER_IP, port, 'tcp-through-windows');
      assert.deepEqual([viaCluster.from, viaCluster.echo], ['linux-tcp', 'tcp-through-windows']);
      viaCluster.socket.destroy();
      const viaNode = await tcpRoundTrip('127.0.0.1', tcpNode, 'tcp-node-port');
      assert.deepEqual([viaNode.from, viaNode.echo], ['linux-tcp', 'tcp-node-port']);
      viaNode.socket.end();

      const c = createSocket('udp4');
      await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
      try {
        assert.equal(await udpRoundTrip(c, CLUSTER_IP, port, 'udp-1', 5000), 'linux-udp|udp-1');
        assert.equal(await udpRoundTrip(c, '127.0.0.1', udpNode, 'udp-2', 5000), 'linux-udp|udp-2');
      } finally {
        c.close();
      }

      // No endpoints: the Windows side accepts and closes at once (a reset where Wine supports it).
      const fate = await new Promise<string>((resolve) => {
        const s = connect({ host: CLUSTER_IP, port: emptyPort });
        const t = setTimeout(() => (s.destroy(), resolve('still open')), 3000);
        s.on('error', (e: NodeJS.ErrnoException) => (clearTimeout(t), resolve(e.code ?? 'error')));
        s.on('close', () => (clearTimeout(t), resolve('closed')));
        s.resume();
      });
      assert.ok(['ECONNRESET', 'closed'].includes(fate), `no-endpoint connection: ${fate}`);
    } finally {
      const r = await win.stop('SIGINT');
      const line = r.stdout.trim().split(/\r?\n/).pop() ?? '';
      const got = JSON.parse(line.startsWith('{') ? line : '{}') as {
        stats?: {
          listeners: number;
          ports: { id: string; connections: number; datagramsIn: number; datagramsOut: number; noEndpoint: number }[];
        };
        after?: number;
      };
      assert.ok(got.stats, `no stats from node.exe (stdout: ${r.stdout}; stderr: ${r.stderr})`);
      // TCP and UDP on the cluster IP and a node port each, plus the empty port's cluster IP.
      assert.equal(got.stats.listeners, 5);
      const by = Object.fromEntries(got.stats.ports.map((p) => [p.id, p]));
      assert.equal(by['default/echo:tcp']?.connections, 2);
      assert.equal(by['default/echo:udp']?.datagramsIn, 2);
      assert.equal(by['default/echo:udp']?.datagramsOut, 2);
      assert.equal(by['default/empty:tcp']?.noEndpoint, 1);
      assert.equal(got.after, 0);
    }
  });
});
