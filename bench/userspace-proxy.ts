// `node dist/bench/userspace-proxy.js`: what the userspace service proxy costs. Echo servers (TCP and
// UDP) run in one child process, the proxy in another (this file with `--role echo` / `--role proxy`),
// the load generator here; each phase runs once straight at the echo server and once through the
// proxy's cluster IP (127.x), DURATION_MS each, ROUNDS times alternating (medians reported):
// - TCP requests/s: CONNS connections, each a closed loop of 64-byte request/echo round trips;
// - TCP connections/s: a new connection per 64-byte request (the proxy dials for each);
// - UDP datagrams/s: SOCKETS client sockets, INFLIGHT datagrams outstanding in all.
// The target is a proxied rate of at least half the direct one. Never fails on time.
//
// Anchor: none measured here for kube-proxy's old userspace mode (removed in Kubernetes 1.26); the
// direct rate on the same machine is the yardstick. Three processes share the box's cores.

import { fork, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { nullLogger } from '../src/base/log.js';
import { createStaticAddressManager, createUserspaceBackend } from '../src/network/proxy/userspace/index.js';
import { startTcpEcho, startUdpEcho } from '../src/network/proxy/userspace/testing/echo-servers.js';
import { endpoints, freePort, servicePort } from '../src/network/proxy/userspace/testing/model.js';
import { fmt, median } from './stats.js';

const DURATION_MS = Number(process.env['PROXY_BENCH_MS'] ?? 2000);
const ROUNDS = 3;
const CONNS = 16;
const SOCKETS = 8;
const INFLIGHT = 64;
const CLUSTER_IP = '127.90.0.1';
const PAYLOAD = Buffer.alloc(64, 0x61);

const log = (s: string) => process.stderr.write(`[bench userspace-proxy] ${s}\n`);

async function echoRole(): Promise<void> {
  const tcp = await startTcpEcho('');
  const udp = await startUdpEcho('');
  process.send?.({ tcp: tcp.port, udp: udp.port });
}

async function proxyRole(tcpPort: number, udpPort: number): Promise<void> {
  const port = await freePort();
  const b = createUserspaceBackend({
    log: nullLogger,
    addressManager: createStaticAddressManager(),
    listenAddresses: [],
    udpIdleMs: 10_000,
  });
  await b.apply([
    servicePort('bench/echo:tcp', { clusterIPs: [CLUSTER_IP], port, clusterEndpoints: endpoints(tcpPort) }),
    servicePort('bench/echo:udp', { protocol: 'UDP', clusterIPs: [CLUSTER_IP], port, clusterEndpoints: endpoints(udpPort) }),
  ]);
  process.send?.({ port });
  process.on('message', (m) => {
    if (m === 'stats') process.send?.({ stats: b.stats(), rssMb: process.memoryUsage().rss / 2 ** 20 });
  });
}

/** CONNS connections, each sending PAYLOAD and waiting for all of it back, in a loop. */
async function tcpRequests(host: string, port: number): Promise<number> {
  let done = 0;
  const end = performance.now() + DURATION_MS;
  const socks: Socket[] = [];
  await Promise.all(
    Array.from(
      { length: CONNS },
      () =>
        new Promise<void>((resolve, reject) => {
          const s = connect({ host, port, noDelay: true });
          socks.push(s);
          let got = 0;
          s.on('error', reject);
          s.on('connect', () => s.write(PAYLOAD));
          s.on('data', (d) => {
            got += d.length;
            if (got < PAYLOAD.length) return;
            got -= PAYLOAD.length;
            done++;
            if (performance.now() < end) s.write(PAYLOAD);
            else resolve();
          });
        }),
    ),
  );
  for (const s of socks) s.destroy();
  return done / (DURATION_MS / 1000);
}

/** CONNS loops, each opening a connection, doing one round trip and closing. */
async function tcpConnections(host: string, port: number): Promise<number> {
  let done = 0;
  const end = performance.now() + DURATION_MS;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const s = connect({ host, port, noDelay: true });
      let got = 0;
      s.on('error', reject);
      s.on('connect', () => s.write(PAYLOAD));
      s.on('data', (d) => {
        got += d.length;
        if (got >= PAYLOAD.length) {
          s.end();
          resolve();
        }
      });
    });
  await Promise.all(
    Array.from({ length: CONNS }, async () => {
      while (performance.now() < end) {
        await one();
        done++;
      }
    }),
  );
  return done / (DURATION_MS / 1000);
}

/** INFLIGHT datagrams outstanding over SOCKETS sockets; lost ones are replaced after 200 ms. */
async function udpDatagrams(host: string, port: number): Promise<number> {
  let done = 0;
  const socks = Array.from({ length: SOCKETS }, () => createSocket('udp4'));
  const end = performance.now() + DURATION_MS;
  await new Promise<void>((resolve) => {
    let outstanding = 0;
    const send = (s: (typeof socks)[number]) => {
      outstanding++;
      s.send(PAYLOAD, port, host);
    };
    for (const s of socks) {
      s.on('message', () => {
        outstanding--;
        done++;
        if (performance.now() < end) send(s);
        else if (outstanding <= 0) resolve();
      });
    }
    for (let i = 0; i < INFLIGHT; i++) send(socks[i % SOCKETS] as (typeof socks)[number]);
    setTimeout(resolve, DURATION_MS + 1000);
  });
  for (const s of socks) s.close();
  return done / (DURATION_MS / 1000);
}

function start(role: string, args: string[] = []): { child: ChildProcess; first: Promise<Record<string, number>> } {
  const child = fork(fileURLToPath(import.meta.url), ['--role', role, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const first = new Promise<Record<string, number>>((resolve) => child.once('message', (m) => resolve(m as Record<string, number>)));
  return { child, first };
}

async function main(): Promise<void> {
  const echo = start('echo');
  const { tcp, udp } = (await echo.first) as { tcp: number; udp: number };
  const proxy = start('proxy', [String(tcp), String(udp)]);
  const { port } = (await proxy.first) as { port: number };
  log(`echo tcp ${tcp} udp ${udp}; proxy ${CLUSTER_IP}:${port}; ${DURATION_MS} ms per phase`);

  const phases: [string, (h: string, p: number) => Promise<number>, number, number][] = [
    ['TCP requests/s (16 conns, 64 B)', tcpRequests, tcp, port],
    ['TCP connections/s (1 request each)', tcpConnections, tcp, port],
    ['UDP datagrams/s (64 in flight, 64 B)', udpDatagrams, udp, port],
  ];
  await tcpRequests('127.0.0.1', tcp); // warm-up
  const rows: string[] = [];
  for (const [name, fn, directPort, proxyPort] of phases) {
    // Alternating rounds, medians: other load on the box drifts less into one side than the other.
    const d: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      d.push(await fn('127.0.0.1', directPort));
      p.push(await fn(CLUSTER_IP, proxyPort));
    }
    const [direct, proxied] = [median(d), median(p)];
    const ratio = proxied / direct;
    rows.push(`| ${name} | ${fmt(direct)} | ${fmt(proxied)} | ${fmt(ratio, 2)} | ${ratio >= 0.5 ? 'met' : 'MISSED'} |`);
  }
  const { stats, rssMb } = await new Promise<{ stats: { ports: { id: string; errors: number }[] }; rssMb: number }>((resolve) => {
    proxy.child.once('message', (m) => resolve(m as { stats: { ports: { id: string; errors: number }[] }; rssMb: number }));
    proxy.child.send('stats');
  });
  proxy.child.kill();
  echo.child.kill();
  const lines = [
    '| phase | direct | through the proxy | ratio | target ≥ 0.5 |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `proxy: RSS ${fmt(rssMb)} MB, errors ${stats.ports.map((p) => `${p.id}=${p.errors}`).join(' ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const role = process.argv[process.argv.indexOf('--role') + 1];
if (process.argv.includes('--role') && role === 'echo') void echoRole();
else if (process.argv.includes('--role') && role === 'proxy') void proxyRole(Number(process.argv.at(-2)), Number(process.argv.at(-1)));
else
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`userspace-proxy bench crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
