// The control plane's cluster DNS: the server of src/network/dns listening on the host, published
// as the endpoint of the kube-dns Service (10.96.0.10 by default) for the service proxies to route
// pods' queries to.
//
// Where it listens: `--cluster-dns-listen`, default 0.0.0.0:1053. Not port 53: binding it needs root
// (or CAP_NET_BIND_SERVICE) and on many hosts it is taken (systemd-resolved, dnsmasq, a local
// resolver), and pods never see the port anyway: they ask 10.96.0.10:53 and the proxy forwards to
// the endpoint's port, which is the one published here (the kube-dns Service's targetPort is set to
// it too). So one default works for a laptop user and for root alike; root may still choose :53.
// A server that cannot bind the default port (another Tandem server on this host, say) runs without
// cluster DNS and says so; a port given on the command line that cannot be bound is an error.
//
// The published address is the host's: the listen address when it names one, else the API
// server's address when it is not loopback, else the first non-loopback IPv4 address. Loopback is
// never published: it would point each node at itself.

import { networkInterfaces } from 'node:os';
import type { Logger } from '../base/log.js';
import type { RestClient } from '../client/rest-client.js';
import { startClusterDns, startDnsEndpointPublisher, type ClusterDns } from '../network/dns/index.js';
import { parseListen } from './data-dir.js';

const DEFAULT_CLUSTER_DNS_LISTEN = '0.0.0.0:1053';

export interface ControlPlaneDnsOptions {
  client: RestClient;
  /** HOST:PORT, or `none`/`off` to run without; undefined: the default, which may fail softly */
  listen: string | undefined;
  clusterDomain?: string;
  /** the API server's listen host (a candidate for the published address) */
  apiHost: string;
  log: Logger;
}

export interface ControlPlaneDns {
  dns: ClusterDns;
  /** the address and port published as kube-dns's endpoint (undefined: none could be chosen) */
  endpoint?: { ip: string; port: number };
  stop(): Promise<void>;
}

const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1' || ip === 'localhost';
const isUnspecified = (ip: string) => ip === '0.0.0.0' || ip === '::' || ip === '';

/** The address pods reach this host at (see the file comment), or undefined. */
export function endpointAddress(listenHost: string, apiHost: string, interfaces = networkInterfaces()): string | undefined {
  if (!isUnspecified(listenHost)) return isLoopback(listenHost) ? undefined : listenHost;
  if (!isUnspecified(apiHost) && !isLoopback(apiHost) && /^[\d.]+$|:/.test(apiHost)) return apiHost;
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** Starts the DNS server and its endpoint publishing; undefined when turned off or the default port is taken. */
export async function startControlPlaneDns(o: ControlPlaneDnsOptions): Promise<ControlPlaneDns | undefined> {
  const spec = o.listen ?? DEFAULT_CLUSTER_DNS_LISTEN;
  if (spec === 'none' || spec === 'off') return undefined;
  let listen: { host: string; port: number };
  try {
    listen = parseListen(spec);
  } catch {
    throw new Error(`--cluster-dns-listen must be HOST:PORT or none (got "${spec}")`);
  }
  // the published address gets a UDP socket of its own, so that pods' queries DNATed to it are answered from it
  const ip = endpointAddress(listen.host, o.apiHost);
  let dns: ClusterDns;
  try {
    dns = await startClusterDns({
      client: o.client,
      listen,
      ...(ip ? { udpAddresses: [ip] } : {}),
      log: o.log,
      ...(o.clusterDomain ? { clusterDomain: o.clusterDomain } : {}),
    });
  } catch (e) {
    const code = e instanceof Error && e.cause instanceof Error ? (e.cause as NodeJS.ErrnoException).code : undefined;
    if (o.listen !== undefined || (code !== 'EADDRINUSE' && code !== 'EACCES')) throw e;
    o.log.warn(`running without cluster DNS: ${e instanceof Error ? e.message : String(e)} (choose a port with --cluster-dns-listen)`);
    return undefined;
  }
  if (!ip) {
    o.log.warn('cluster DNS serves only this host: it has no non-loopback address to publish as the kube-dns endpoint');
    return { dns, stop: () => dns.stop() };
  }
  const publisher = startDnsEndpointPublisher({ client: o.client, ip, port: dns.port, log: o.log.child('dns-endpoint') });
  return {
    dns,
    endpoint: { ip, port: dns.port },
    async stop() {
      await publisher.stop();
      await dns.stop();
    },
  };
}
