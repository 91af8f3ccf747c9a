// Flags that `tandem server` and `tandem up` share: the network ranges, the cluster DNS, the
// ServiceAccount token issuer and audiences, and the registries the scheduler may read over HTTP.

import { fail } from './cli-output.js';
import { DEFAULT_CONTROL_LOOPS, type ControlLoopsMode } from './control-loops/protocol.js';

export interface NetworkFlags {
  serviceCidr: string;
  clusterCidr: string;
  nodeCidrMaskSize: string;
}

export function networkOptions(o: NetworkFlags): { serviceCidr: string; clusterCidr: string; nodeCidrMaskSize: number } {
  const mask = Number(o.nodeCidrMaskSize);
  if (!/^\d+$/.test(o.nodeCidrMaskSize)) fail(`--node-cidr-mask-size: ${JSON.stringify(o.nodeCidrMaskSize)} is not a number of bits`);
  return { serviceCidr: o.serviceCidr, clusterCidr: o.clusterCidr, nodeCidrMaskSize: mask };
}

export interface DnsFlags {
  clusterDnsListen?: string;
  clusterDomain: string;
}

export function dnsOptions(o: DnsFlags): { clusterDns: { listen: string | undefined; domain: string } } {
  return { clusterDns: { listen: o.clusterDnsListen, domain: o.clusterDomain } };
}

/** ServiceAccount token flags of `server` and `up`. */
export interface TokenFlags {
  serviceAccountIssuer?: string;
  apiAudiences?: string;
}
export const ISSUER_HELP = 'the iss of ServiceAccount tokens, and the OIDC issuer (default https://kubernetes.default.svc.cluster.local)';
export const AUDIENCES_HELP =
  'comma-separated audiences the API server accepts in tokens, and gives tokens by default (default: the issuer)';

export function tokenOptions(o: TokenFlags): { serviceAccountIssuer?: string; apiAudiences?: string[] } {
  const out: { serviceAccountIssuer?: string; apiAudiences?: string[] } = {};
  if (o.serviceAccountIssuer !== undefined) out.serviceAccountIssuer = o.serviceAccountIssuer;
  if (o.apiAudiences !== undefined) {
    const list = o.apiAudiences.split(',').map((a) => a.trim());
    if (list.some((a) => a === '')) fail(`--api-audiences ${JSON.stringify(o.apiAudiences)}: an audience is empty`);
    out.apiAudiences = list;
  }
  return out;
}

export const INSECURE_SERVER_HELP =
  'a registry host[:port] the scheduler reads Windows image indexes from over plain HTTP (repeatable; loopback always is)';

/** A repeatable flag's values. */
export const collect = (v: string, all: string[]) => [...all, v];

export const CONTROL_LOOPS_HELP = `where the scheduler and controllers run: thread (a worker thread), process (a child process) or inline (the API server's event loop) (default ${DEFAULT_CONTROL_LOOPS})`;

/** `--control-loops`: checked while parsing, so a typo is an error line naming the choices. */
export function parseControlLoops(v: string): ControlLoopsMode {
  if (v === 'thread' || v === 'process' || v === 'inline') return v;
  return fail(`--control-loops ${JSON.stringify(v)}: expected thread, process or inline`);
}

export interface ControlLoopsFlags {
  controlLoops?: ControlLoopsMode;
}
