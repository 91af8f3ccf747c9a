// The cluster DNS server as the control plane starts it: the cluster zone read from shared
// informers (or any DnsSource), other names forwarded through a cache to the host's resolvers,
// served over UDP and TCP on one address. Until the caches have synced the server already answers,
// but denies nothing (SERVFAIL instead of NXDOMAIN, as CoreDNS does before its first sync).

import { realClock, type Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import { createInformerFactory, type InformerFactory } from '../../client/informer-factory.js';
import type { RestClient } from '../../client/rest-client.js';
import { createClusterZone, type PodMode } from './cluster-zone.js';
import { createDnsCache, DEFAULT_CACHE_ENTRIES } from './dns-cache.js';
import { createForwarder, type Upstream } from './forwarder.js';
import { createInformerSource } from './informer-source.js';
import { createQueryHandler, type DnsStats } from './query-handler.js';
import type { DnsSource } from './source.js';
import { startTransports } from './transports.js';
import { createUpstreamResolver } from './upstream-resolver.js';
import { resolveUpstreams, RESOLV_CONF, withoutSelf } from './upstreams.js';

export interface ClusterDnsOptions {
  /** The API client; the server makes its own informers from it unless `informers` is given. */
  client?: RestClient;
  /** Shared informers (started here; stopped by their owner). */
  informers?: InformerFactory;
  /** Read the cluster from this instead of informers (tests and benchmarks). */
  source?: DnsSource;
  listen: { host: string; port: number };
  /** With a wildcard `listen` host: addresses that get a UDP socket of their own, so that replies to queries sent there come from there (see transports.ts). */
  udpAddresses?: readonly string[];
  /** Default `cluster.local`. */
  clusterDomain?: string;
  /** Resolvers for other names ("ip" or "ip:port"); default: the nameservers of /etc/resolv.conf. */
  upstreams?: readonly string[];
  /** resolv.conf to read when `upstreams` is not given (default /etc/resolv.conf). */
  resolvConf?: string;
  /** Pod A records: `insecure` (default), `verified` or `disabled`; see cluster-zone.ts. */
  pods?: PodMode;
  /** TTL of cluster answers in seconds, 0..3600 (default 5, CoreDNS's). */
  ttl?: number;
  /** Per upstream attempt (default 2000 ms). */
  upstreamTimeoutMs?: number;
  /** Bound of the forwarding cache (default 10000 entries; 0 turns it off). */
  cacheEntries?: number;
  log: Logger;
  clock?: Clock;
}

export interface ClusterDns {
  /** The port of both UDP and TCP. */
  port: number;
  udpPort: number;
  tcpPort: number;
  /** The resolvers other names go to. */
  upstreams: readonly Upstream[];
  /** Resolves once the cluster caches have synced. */
  ready(): Promise<void>;
  stats(): DnsStats;
  stop(): Promise<void>;
}

const DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function checkDomain(d: string): string {
  const z = d.toLowerCase().replace(/\.$/, '');
  if (z === '' || z.length > 253 || !z.split('.').every((l) => DOMAIN_LABEL.test(l)))
    throw new Error(`clusterDomain "${d}": must be a DNS name of lower-case labels (e.g. cluster.local)`);
  return z;
}

export async function startClusterDns(opts: ClusterDnsOptions): Promise<ClusterDns> {
  const clock = opts.clock ?? realClock;
  const log = opts.log.child('dns');
  const zoneName = checkDomain(opts.clusterDomain ?? 'cluster.local');
  const ttl = opts.ttl ?? 5;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) throw new Error(`ttl ${ttl}: must be a whole number of seconds, 0..3600`);
  const pods = opts.pods ?? 'insecure';
  if (!['insecure', 'verified', 'disabled'].includes(pods)) throw new Error(`pods "${pods}": must be insecure, verified or disabled`);
  // resolv.conf lists servers at port 53, so with an ephemeral port (0) we cannot be among them
  const upstreams = withoutSelf(resolveUpstreams(opts.upstreams, opts.resolvConf ?? RESOLV_CONF), opts.listen);

  let source: DnsSource;
  let whenSynced: () => Promise<void>;
  let ownFactory: InformerFactory | undefined;
  if (opts.source) {
    const s = opts.source;
    source = s;
    whenSynced = async () => {
      while (!s.hasSynced()) await new Promise((r) => setTimeout(r, 50));
    };
  } else {
    const factory = opts.informers ?? (opts.client ? createInformerFactory(opts.client, { log }) : undefined);
    if (!factory) throw new Error('startClusterDns needs a client, informers or a source to read the cluster from');
    if (!opts.informers) ownFactory = factory;
    const s = createInformerSource(factory, clock, pods === 'verified');
    factory.start();
    source = s;
    whenSynced = () => s.whenSynced();
  }

  const zone = createClusterZone({ zone: zoneName, ttl, pods, source });
  const forwarder = createForwarder({ upstreams, timeoutMs: opts.upstreamTimeoutMs, log });
  const upstream = createUpstreamResolver(forwarder, createDnsCache(clock, opts.cacheEntries ?? DEFAULT_CACHE_ENTRIES));
  const handler = createQueryHandler({ zone, zoneName, ttl, source, upstream, log });
  let transports;
  try {
    transports = await startTransports(opts.listen.host, opts.listen.port, handler, log, opts.udpAddresses);
  } catch (e) {
    forwarder.close();
    await ownFactory?.stop();
    throw new Error(`cluster DNS cannot listen on ${opts.listen.host}:${opts.listen.port}: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
  if (upstreams.length === 0) log.warn('no upstream resolvers: names outside the cluster will get SERVFAIL');
  log.info('serving', {
    address: `${opts.listen.host}:${transports.udpPort}`,
    zone: zoneName,
    upstreams: upstreams.map((u) => `${u.host}:${u.port}`).join(','),
  });

  let stopped = false;
  return {
    port: transports.udpPort,
    udpPort: transports.udpPort,
    tcpPort: transports.tcpPort,
    upstreams,
    ready: whenSynced,
    stats: () => handler.stats(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await transports.close();
      forwarder.close();
      await ownFactory?.stop();
    },
  };
}
