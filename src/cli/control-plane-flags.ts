// Flags that `tandem server` and `tandem up` share: the network ranges, the cluster DNS, the
// ServiceAccount token issuer and audiences, and the registries the scheduler may read over HTTP.

import { fail } from './cli-output.js';
import { DEFAULT_CONTROL_LOOPS, type ControlLoopsMode } from './control-loops/protocol.js';
import { parseBootstrapToken } from '../api/bootstrap/bootstrap-token.js';
import { parseCaCertHash } from '../pki/ca-hash.js';
import { parseCertificateKey } from '../pki/bundle-crypto.js';
import type { ControlPlaneJoin } from './control-plane-join.js';
import { parseJoinServer } from './join-command.js';

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

/** API Priority and Fairness and connection limits of `server` and `up` (upstream's flag names where they exist). */
export interface FairnessFlags {
  maxRequestsInflight: string;
  maxMutatingRequestsInflight: string;
  enablePriorityAndFairness: string;
  maxConnectionsPerAddress: string;
}

/** Adds the fairness flags; their defaults are explained in docs/operations.md (200 seats in all, 512 connections per address). */
export function addFairnessFlags<T extends { option(flags: string, description: string, defaultValue?: string): T }>(cmd: T): T {
  return cmd
    .option('--max-requests-inflight <n>', 'seats for requests, shared by the priority levels with the next flag', '150')
    .option('--max-mutating-requests-inflight <n>', 'added to --max-requests-inflight (upstream sums the two under APF)', '50')
    .option('--enable-priority-and-fairness <bool>', 'queue requests per priority level and flow; false: no limit', 'true')
    .option(
      '--max-connections-per-address <n>',
      'open connections one client address may hold (idle unauthenticated ones make room)',
      '512',
    );
}

const positiveInt = (flag: string, v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < 1) fail(`${flag}: ${JSON.stringify(v)} is not a positive whole number`);
  return Number(v);
};

export function fairnessOptions(o: FairnessFlags): {
  flowControl: { totalSeats: number } | false;
  connections: { maxPerAddress: number };
} {
  const enabled = o.enablePriorityAndFairness;
  if (enabled !== 'true' && enabled !== 'false') fail(`--enable-priority-and-fairness: ${JSON.stringify(enabled)} is not true or false`);
  const total =
    positiveInt('--max-requests-inflight', o.maxRequestsInflight) +
    positiveInt('--max-mutating-requests-inflight', o.maxMutatingRequestsInflight);
  return {
    flowControl: enabled === 'true' ? { totalSeats: total } : false,
    connections: { maxPerAddress: positiveInt('--max-connections-per-address', o.maxConnectionsPerAddress) },
  };
}

/** Where the scheduler's and controllers' /metrics are served (kube-controller-manager's secure port). */
export interface MetricsFlags {
  controllersMetricsListen?: string;
}
export const CONTROLLERS_METRICS_HELP =
  'serve the scheduler and controllers /metrics over HTTPS here (host:port, e.g. 127.0.0.1:10257; default: not served)';

export function metricsOptions(o: MetricsFlags): { controllersMetricsListen?: string } {
  const l = o.controllersMetricsListen;
  if (l === undefined) return {};
  if (!/^(\[[^\]]+\]|[^:]*):\d{1,5}$/.test(l) || Number(l.slice(l.lastIndexOf(':') + 1)) > 65535) {
    fail(`--controllers-metrics-listen ${JSON.stringify(l)}: expected host:port (port 0-65535)`);
  }
  return { controllersMetricsListen: l };
}

/** `--allow-empty-store` of `server` and `up` (see store-guard.ts). */
export interface StoreGuardFlags {
  allowEmptyStore?: boolean;
}
export const ALLOW_EMPTY_STORE_HELP =
  'start even though the store is missing or empty while the data dir holds an earlier cluster (its PKI, its kubeconfig): a new empty cluster';

export function storeGuardOptions(o: StoreGuardFlags): { allowEmptyStore?: boolean } {
  return o.allowEmptyStore ? { allowEmptyStore: true } : {};
}

export const CONTROL_LOOPS_HELP = `where the scheduler and controllers run: thread (a worker thread), process (a child process) or inline (the API server's event loop) (default ${DEFAULT_CONTROL_LOOPS})`;

/** `--control-loops`: checked while parsing, so a typo is an error line naming the choices. */
export function parseControlLoops(v: string): ControlLoopsMode {
  if (v === 'thread' || v === 'process' || v === 'inline') return v;
  return fail(`--control-loops ${JSON.stringify(v)}: expected thread, process or inline`);
}

export interface ControlLoopsFlags {
  controlLoops?: ControlLoopsMode;
}

/** `--join URL --token T --certificate-key K --ca-cert-hash H` of `server`: joining a running control plane (control-plane-join.ts). */
export interface ControlPlaneJoinFlags {
  join?: string;
  token?: string;
  certificateKey?: string;
  caCertHash?: string;
}
export const JOIN_HELP = {
  join: 'join the control plane of the server at https://HOST:PORT (with --token, --certificate-key, --ca-cert-hash from `tandem token create --control-plane` there)',
  token: 'with --join: the bootstrap token',
  certificateKey: "with --join: the key that opens the cluster's uploaded certificates (64 hex digits)",
  caCertHash: "with --join: sha256:<hex> of the cluster CA's public key; the server is trusted only if it matches",
};

/** The join flags checked together (all four, or none), before anything starts. */
export function controlPlaneJoinOptions(o: ControlPlaneJoinFlags): { join?: ControlPlaneJoin } {
  const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (o.join === undefined) {
    const stray = (['token', 'certificateKey', 'caCertHash'] as const).find((k) => o[k] !== undefined);
    return stray ? fail(`${flag(stray)} is only used with --join`) : {};
  }
  try {
    const url = parseJoinServer(o.join);
    const need = (['token', 'certificateKey', 'caCertHash'] as const).find((k) => o[k] === undefined);
    if (need) throw new Error(`--join needs ${flag(need)} (printed by \`tandem token create --control-plane\` on a running server)`);
    if (parseBootstrapToken(o.token!) === undefined) {
      throw new Error('--token: a bootstrap token is 6 and 16 characters of [a-z0-9] joined by a dot, as `tandem token create` prints it');
    }
    parseCertificateKey(o.certificateKey!);
    return { join: { url, token: o.token!, certificateKey: o.certificateKey!, caCertHash: parseCaCertHash(o.caCertHash!) } };
  } catch (e) {
    return fail(e);
  }
}

/** TLS towards etcd of `server` (upstream's kube-apiserver flag names); only with `--store etcd://…`. */
export interface EtcdFlags {
  store?: string;
  etcdCafile?: string;
  etcdCertfile?: string;
  etcdKeyfile?: string;
}

export function addEtcdFlags<T extends { option(flags: string, description: string, defaultValue?: string): T }>(cmd: T): T {
  return cmd
    .option('--etcd-cafile <file>', 'with --store etcd://…: the CA of the etcd members (the endpoints are then https)')
    .option('--etcd-certfile <file>', 'with --store etcd://…: client certificate towards etcd')
    .option('--etcd-keyfile <file>', 'with --store etcd://…: the key of --etcd-certfile');
}

export function etcdOptions(o: EtcdFlags): { etcdTls?: { caFile?: string; certFile?: string; keyFile?: string } } {
  const given = [o.etcdCafile, o.etcdCertfile, o.etcdKeyfile].some((f) => f !== undefined);
  if (!given) return {};
  if (!o.store?.startsWith('etcd://'))
    fail(`--etcd-cafile/--etcd-certfile/--etcd-keyfile need --store etcd://HOST:PORT (the store is ${o.store ?? 'sqlite'})`);
  return {
    etcdTls: {
      ...(o.etcdCafile !== undefined ? { caFile: o.etcdCafile } : {}),
      ...(o.etcdCertfile !== undefined ? { certFile: o.etcdCertfile } : {}),
      ...(o.etcdKeyfile !== undefined ? { keyFile: o.etcdKeyfile } : {}),
    },
  };
}

/** `--ui-listen` of `server` and `up`: where the web view is served (src/webui, docs/web-view.md). */
export interface UiFlags {
  uiListen?: string;
}
const UI_LISTEN_DEFAULT = '127.0.0.1:6444';
export const UI_LISTEN_HELP = `serve the web view over HTTPS here (host:port; "none": no web view) (default ${UI_LISTEN_DEFAULT})`;

/**
 * The web view's address; `required` when the flag was given (a busy default port is only a warning,
 * so that a second server on one host still starts).
 */
export function uiOptions(o: UiFlags): { ui?: { listen: string; required: boolean } } {
  const l = o.uiListen;
  if (l === 'none') return {};
  if (l === undefined) return { ui: { listen: UI_LISTEN_DEFAULT, required: false } };
  if (!/^(\[[^\]]+\]|[^:]+):\d{1,5}$/.test(l) || Number(l.slice(l.lastIndexOf(':') + 1)) > 65535) {
    fail(`--ui-listen ${JSON.stringify(l)}: expected host:port (port 0-65535) or none`);
  }
  return { ui: { listen: l, required: true } };
}
