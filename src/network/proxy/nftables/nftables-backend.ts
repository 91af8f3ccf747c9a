// The kernel backend on Linux: one nftables table of this proxy's own, programmed with `nft -f -`
// in one transaction per apply (table-spec.ts says what is in it, render.ts how it is written).
// An apply whose table would not change skips nft. After an apply, UDP conntrack entries that point
// at gone endpoints are deleted with `conntrack -D` (without the tool, they live until idle).
// Node ports on 127.0.0.1 need net.ipv4.conf.all.route_localnet=1, which kube-proxy sets too:
// without it the kernel drops DNATed packets whose source is a loopback address.
// Pods reaching a Service whose endpoint sits on the same bridge need bridged traffic to pass the
// ip hooks (br_netfilter, net.bridge.bridge-nf-call-iptables=1): the endpoint's reply to a pod on its
// own subnet is bridged, not routed, and without the hook conntrack never turns its source back into
// the cluster IP, so the client drops it. kubeadm requires this setting; the backend sets it (loading
// br_netfilter first when its sysctls are missing) and warns when it cannot.

import { realClock, type Clock } from '../../../base/clock.js';
import type { Logger } from '../../../base/log.js';
import type { ProxyBackend, ProxyServicePort } from '../model.js';
import { run, works } from '../../host-exec.js';
import { renderDelete, renderFull, renderUpdate } from './render.js';
import { matchesFlow, parseUdpEntries, staleUdpFlows } from './stale-udp.js';
import { buildTableSpec, DEFAULT_TABLE, type TableOptions, type TableSpec } from './table-spec.js';

export interface NftablesBackendOptions extends TableOptions {
  log: Logger;
  /** Run every tool behind this, e.g. `['ip', 'netns', 'exec', 'test-ns']` (tests, benchmarks). */
  commandPrefix?: readonly string[];
  clock?: Clock;
}

export interface NftablesBackend extends ProxyBackend {
  /** The last transaction sent to nft (for diagnostics). */
  lastTransaction(): string | undefined;
}

/** How long an emptied chain waits before it is deleted (see render.ts). */
const CHAIN_DELETE_DELAY_MS = 1000;
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export function createNftablesBackend(o: NftablesBackendOptions): NftablesBackend {
  const table = o.table ?? DEFAULT_TABLE;
  if (!TABLE_NAME.test(table))
    throw new Error(`nftables table name ${JSON.stringify(table)}: use letters, digits, '_' and '-' (at most 64)`);
  const prefix = o.commandPrefix ?? [];
  const clock = o.clock ?? realClock;
  const log = o.log;
  let applied: { spec: TableSpec; full: string; ports: readonly ProxyServicePort[] } | undefined;
  let prevPorts: readonly ProxyServicePort[] = [];
  const emptiedAt = new Map<string, number>();
  let localnetSet = false;
  let bridgeHookSet = false;
  let conntrackMissing = false;
  let last: string | undefined;

  async function nft(text: string): Promise<void> {
    last = text;
    const r = await run(prefix, ['nft', '-f', '-'], text).catch((e: Error) => {
      throw new Error(`nft could not run (${e.message}): install nftables`);
    });
    if (r.code !== 0) throw new Error(`nft -f failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(0, 6).join(' | ')}`);
  }

  async function ensureLocalnet(): Promise<void> {
    if (localnetSet || o.localhostNodePorts === false) return;
    const r = await run(prefix, ['sysctl', '-w', 'net.ipv4.conf.all.route_localnet=1']).catch((e: Error) => ({
      code: 1,
      stderr: e.message,
    }));
    if (r.code === 0) {
      localnetSet = true;
      log.info('set net.ipv4.conf.all.route_localnet=1 so node ports answer on 127.0.0.1 (as kube-proxy does)');
    } else log.warn('could not set net.ipv4.conf.all.route_localnet=1: node ports on 127.0.0.1 will not answer', { err: r.stderr.trim() });
  }

  async function ensureBridgeHook(): Promise<void> {
    if (bridgeHookSet) return;
    bridgeHookSet = true; // once per process, whatever the outcome: the warning is said once
    const key = 'net.bridge.bridge-nf-call-iptables';
    const tryRun = (argv: string[]) => run(prefix, argv).catch((e: Error) => ({ code: 1, stdout: '', stderr: e.message }));
    let now = await tryRun(['sysctl', '-n', key]);
    if (now.code !== 0) {
      await tryRun(['modprobe', 'br_netfilter']);
      now = await tryRun(['sysctl', '-n', key]);
    }
    if (now.code === 0 && now.stdout.trim() === '1') return;
    const r = now.code === 0 ? await tryRun(['sysctl', '-w', `${key}=1`]) : now;
    if (r.code === 0) log.info(`set ${key}=1 so pods reach Services whose endpoints share their bridge (as kubeadm requires)`);
    else
      log.warn(`could not set ${key}=1 (br_netfilter): pods may not reach Services whose endpoints share their bridge`, {
        err: r.stderr.trim(),
      });
  }

  async function clearStaleUdp(prev: readonly ProxyServicePort[], next: readonly ProxyServicePort[]): Promise<void> {
    const flows = staleUdpFlows(prev, next);
    if (conntrackMissing || flows.length === 0) return;
    try {
      // one listing, then a delete only for filters that match something: a process start would
      // otherwise run one conntrack per UDP service port
      const listed = await run(prefix, ['conntrack', '-L', '-p', 'udp']);
      const entries = listed.code === 0 ? parseUdpEntries(listed.stdout) : undefined;
      for (const args of flows) {
        if (entries && !entries.some((e) => matchesFlow(args, e))) continue;
        // exit 1 with "0 flow entries have been deleted" is the ordinary nothing-to-do answer
        const r = await run(prefix, ['conntrack', ...args]);
        if (r.code !== 0 && !/0 flow entries/.test(r.stderr))
          log.warn('conntrack -D failed', { args: args.join(' '), err: r.stderr.trim() });
      }
    } catch {
      conntrackMissing = true;
      log.warn('conntrack is not installed (Debian package conntrack): stale UDP flows may persist after endpoints change');
    }
  }

  return {
    name: 'nftables',
    lastTransaction: () => last,
    async apply(ports) {
      const spec = buildTableSpec(ports, { ...o, table });
      const full = renderFull(spec);
      if (applied && applied.full === full) return;
      await ensureLocalnet();
      await ensureBridgeHook();
      const now = clock.now();
      const deletable = [...emptiedAt].filter(([, t]) => now - t >= CHAIN_DELETE_DELAY_MS).map(([c]) => c);
      const update = applied ? renderUpdate(applied.spec, spec, deletable) : undefined;
      try {
        await nft(update ? update.text : full);
      } catch (e) {
        applied = undefined; // the kernel's table is unknown now: the next apply replaces it whole
        emptiedAt.clear();
        throw e;
      }
      if (update) {
        for (const c of deletable) emptiedAt.delete(c);
        for (const c of update.emptied) emptiedAt.set(c, now);
      } else emptiedAt.clear();
      for (const c of spec.chains.keys()) emptiedAt.delete(c);
      applied = { spec, full, ports };
      if (spec.skippedIPv6 > 0) log.debug('IPv6 addresses are not programmed by the nftables backend', { skipped: spec.skippedIPv6 });
      await clearStaleUdp(prevPorts, ports);
      prevPorts = ports;
    },
    async cleanup() {
      applied = undefined;
      prevPorts = [];
      emptiedAt.clear();
      await nft(renderDelete(table));
    },
  };
}

/** Why the nftables backend cannot run here, or undefined when it can. */
export async function nftablesUnavailable(prefix: readonly string[] = []): Promise<string | undefined> {
  if (process.platform !== 'linux') return `unavailable: nftables is Linux only (this is ${process.platform})`;
  if (prefix.length === 0 && process.getuid?.() !== 0) return 'unavailable: programming nftables needs root (CAP_NET_ADMIN)';
  if (!(await works(prefix, ['nft', '--version']))) return 'unavailable: install nftables (apt-get install nftables)';
  if (!(await works(prefix, ['nft', 'list', 'tables']))) return 'unavailable: nft cannot read the ruleset (no CAP_NET_ADMIN?)';
  return undefined;
}
