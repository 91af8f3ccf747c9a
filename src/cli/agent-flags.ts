// The flags of a node agent, shared by `tandem agent`, `tandem join` and (runtime, proxy, registries) `tandem up`.

import { isIP } from 'node:net';
import type { Command } from 'commander';
import { fail } from './cli-output.js';
import { collect } from './control-plane-flags.js';

export type RuntimeMode = 'auto' | 'containerd' | 'process';
export const RUNTIME_HELP =
  'runtimes of this node: auto (containerd when it can run, plus native processes), containerd (fail without it) or process (native processes only)';
export const INSECURE_HELP = 'a registry host[:port] reachable over plain HTTP (repeatable; loopback always is)';

export function parseRuntimeMode(v: string): RuntimeMode {
  if (v === 'auto' || v === 'containerd' || v === 'process') return v;
  return fail(`--runtime ${v}: must be auto, containerd or process`);
}

export type ProxyMode = 'auto' | 'nftables' | 'userspace' | 'none';
export const PROXY_HELP = "the node's service proxy: auto (nftables rules when root with nft, else userspace), nftables, userspace or none";
export function parseProxyMode(v: string): ProxyMode {
  if (v === 'auto' || v === 'nftables' || v === 'userspace' || v === 'none') return v;
  return fail(`--proxy ${v}: must be auto, nftables, userspace or none`);
}

export interface AgentFlags {
  dataDir?: string;
  podCidr?: string;
  nodeName?: string;
  containerd?: string;
  streamingPort: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  logFile?: string;
  runtime: RuntimeMode;
  insecureRegistry: string[];
  proxy: ProxyMode;
  clusterCidr: string;
  clusterDns: string;
  clusterDomain: string;
  /** more API servers (HA), after the kubeconfig's */
  server: string[];
}

/** The flags of a node agent, shared by `tandem agent` and `tandem join`. */
export function addAgentFlags(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'state directory (default $TANDEM_HOME, else ~/.tandem; %ProgramData%\\tandem on Windows)')
    .option('--pod-cidr <cidr>', "this node's pod network (default: the one the control plane gives the Node)")
    .option(
      '--cluster-cidr <cidr>',
      "the whole pod network (the server's --cluster-cidr): traffic leaving it is masqueraded",
      '10.42.0.0/16',
    )
    .option('--node-name <name>', 'node name (default: the hostname)')
    .option('--containerd <endpoint>', 'use this containerd instead of starting a private one')
    .option('--runtime <mode>', RUNTIME_HELP, parseRuntimeMode, 'auto')
    .option('--insecure-registry <host>', INSECURE_HELP, collect, [])
    .option('--proxy <mode>', PROXY_HELP, parseProxyMode, 'auto')
    .option('--streaming-port <port>', 'port of the streaming server (logs, exec, port-forward)', '10250')
    .option('--tls-cert-file <file>', "the streaming server's certificate, from the cluster CA (the API server refuses others)")
    .option('--tls-private-key-file <file>', 'the key of --tls-cert-file')
    .option('--log-file <file>', 'append log lines to this file instead of stdout/stderr (a service has no console)')
    .option(
      '--cluster-dns <ips>',
      'comma-separated cluster DNS addresses for ClusterFirst pods ("none": the host\'s resolvers)',
      '10.96.0.10',
    )
    .option('--cluster-domain <domain>', "the cluster DNS domain in pods' search list", 'cluster.local')
    .option(
      '--server <urls>',
      "more API servers of the cluster (HA), tried after the kubeconfig's when one fails (repeatable or comma-separated; more are learned from the kubernetes Endpoints)",
      collect,
      [],
    );
}

/** `--cluster-dns`: addresses, or none (ClusterFirst pods then get the host's settings, as the kubelet's do). */
export function clusterDnsList(text: string): string[] {
  if (text === 'none' || text === '') return [];
  const ips = text.split(',').map((x) => x.trim());
  const bad = ips.find((ip) => isIP(ip) === 0);
  if (bad !== undefined) fail(`--cluster-dns: ${JSON.stringify(bad)} is not an IP address`);
  return ips;
}
