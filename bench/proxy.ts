// `node dist/bench/proxy.js` (as root): the kernel service proxy. Everything runs in a throwaway
// network namespace pair (src/network/proxy/testing/netns.ts), never on the host's rules.
// 1. Rule programming for SERVICES Services x ENDPOINTS endpoints: building and rendering the
//    nftables table, the first `nft -f` (whole table), and an update after one endpoint changed.
// 2. Throughput of new TCP connections (connect, read a greeting, close) and UDP request/answer
//    pairs through a cluster IP against the same traffic straight to the endpoint, with the large
//    table loaded. Kernel forwarding should keep at least 0.9 of direct. Never fails on time.

import { performance } from 'node:perf_hooks';
import { nullLogger } from '../src/base/log.js';
import type { ProxyServicePort } from '../src/network/proxy/model.js';
import { run } from '../src/network/host-exec.js';
import { createNftablesBackend } from '../src/network/proxy/nftables/nftables-backend.js';
import { renderFull } from '../src/network/proxy/nftables/render.js';
import { buildTableSpec } from '../src/network/proxy/nftables/table-spec.js';
import { createTestNetwork, netnsUnavailable, NODE_IP } from '../src/network/proxy/testing/netns.js';

const SERVICES = 1000;
const ENDPOINTS = 10;
const SECONDS = Number(process.env['PROXY_BENCH_SECONDS'] ?? 3);
const CONCURRENCY = 8;
const POD = '10.244.0.5';
const CIP = '10.96.200.1';

const log = (s: string) => process.stderr.write(`[bench proxy] ${s}\n`);

function servicePorts(changed = false): ProxyServicePort[] {
  const out: ProxyServicePort[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const eps = Array.from({ length: ENDPOINTS }, (_, k) => ({
      ip: `10.${100 + (i >> 8)}.${i & 255}.${k + 1 + (changed && i === 7 && k === 0 ? 100 : 0)}`,
      port: 8080,
      local: false,
    }));
    out.push({
      id: `ns${i % 20}/svc${i}:http`,
      namespace: `ns${i % 20}`,
      name: `svc${i}`,
      portName: 'http',
      protocol: i % 5 === 0 ? 'UDP' : 'TCP',
      clusterIPs: [`10.96.${i >> 8}.${i & 255}`],
      port: 80,
      ...(i % 10 === 0 ? { nodePort: 30000 + i } : {}),
      clusterEndpoints: eps,
      nodePortEndpoints: eps,
    });
  }
  const bench = [{ ip: POD, port: 8080, local: true }];
  for (const protocol of ['TCP', 'UDP'] as const)
    out.push({
      id: `bench/echo:${protocol}`,
      namespace: 'bench',
      name: 'echo',
      portName: protocol.toLowerCase(),
      protocol,
      clusterIPs: [CIP],
      port: 80,
      clusterEndpoints: bench,
      nodePortEndpoints: bench,
    });
  return out;
}

async function main(): Promise<void> {
  const why = await netnsUnavailable();
  if (why) {
    log(`skipped: ${why}`);
    return;
  }
  const net = await createTestNetwork(`bench${process.pid}`);
  try {
    await net.startEcho([POD], 8080);
    // the client closes first, so its ports sit in TIME_WAIT; without reuse, connect() to the one
    // direct address slows to a crawl finding a free port (masquerade's random ports hide that)
    await run(net.nodePrefix, ['sysctl', '-w', 'net.ipv4.tcp_tw_reuse=1']);
    const backend = createNftablesBackend({ table: 'tandem-bench', nodeIPs: [NODE_IP], log: nullLogger, commandPrefix: net.nodePrefix });
    const ports = servicePorts();
    let t = performance.now();
    const spec = buildTableSpec(ports, { table: 'tandem-bench', nodeIPs: [NODE_IP] });
    const text = renderFull(spec);
    const renderMs = performance.now() - t;
    t = performance.now();
    await backend.apply(ports);
    const firstMs = performance.now() - t;
    const update = servicePorts(true);
    t = performance.now();
    await backend.apply(update);
    const updateMs = performance.now() - t;
    t = performance.now();
    await backend.apply(update);
    const unchangedMs = performance.now() - t;
    console.log(
      `rule programming, ${SERVICES} Services x ${ENDPOINTS} endpoints (${spec.chains.size} chains, ${text.length >> 10} KiB of nft input):`,
    );
    console.log(`  build + render            ${renderMs.toFixed(0)} ms`);
    console.log(`  first apply (whole table) ${firstMs.toFixed(0)} ms (render included)`);
    console.log(`  one endpoint changed      ${updateMs.toFixed(0)} ms (render included)`);
    console.log(`  nothing changed           ${unchangedMs.toFixed(1)} ms (nft not called)`);

    const rate = async (mode: string, host: string, port: number) =>
      net
        .probe<{ done: number; seconds: number }>({ mode, host, port, seconds: SECONDS, concurrency: CONCURRENCY })
        .then((r) => r.done / r.seconds);
    console.log(
      `throughput, ${CONCURRENCY} concurrent loops for ${SECONDS} s each (one client process, one echo process), best of 3 interleaved rounds:`,
    );
    for (const [label, mode] of [
      ['TCP connections/s', 'tcp-rate'],
      ['UDP datagrams/s  ', 'udp-rate'],
    ] as const) {
      // interleaved rounds, best of each: the machine is shared, so single runs are noisy
      await rate(mode, POD, 8080); // warm-up
      let direct = 0;
      let viaService = 0;
      for (let round = 0; round < 3; round++) {
        direct = Math.max(direct, await rate(mode, POD, 8080));
        viaService = Math.max(viaService, await rate(mode, CIP, 80));
      }
      console.log(
        `  ${label} direct ${direct.toFixed(0).padStart(7)}  via cluster IP ${viaService.toFixed(0).padStart(7)}  ratio ${(viaService / direct).toFixed(2)}`,
      );
    }
    await backend.cleanup();
  } finally {
    await net.destroy();
  }
}

await main();
