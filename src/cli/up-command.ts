// `tandem up`: the control plane and a node agent for this host, in one process.

import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../base/log.js';
import { resolveDataDir } from './data-dir.js';
import {
  INSECURE_HELP,
  parseProxyMode,
  parseRuntimeMode,
  PROXY_HELP,
  RUNTIME_HELP,
  type ProxyMode,
  type RuntimeMode,
} from './agent-flags.js';
import { fail, log, progress, writeOut } from './cli-output.js';
import {
  AUDIENCES_HELP,
  collect,
  CONTROL_LOOPS_HELP,
  dnsOptions,
  ISSUER_HELP,
  networkOptions,
  addFairnessFlags,
  fairnessOptions,
  type FairnessFlags,
  parseControlLoops,
  tokenOptions,
  type ControlLoopsFlags,
  type DnsFlags,
  type NetworkFlags,
  type TokenFlags,
  CONTROLLERS_METRICS_HELP,
  metricsOptions,
  type MetricsFlags,
  ALLOW_EMPTY_STORE_HELP,
  storeGuardOptions,
  type StoreGuardFlags,
  UI_LISTEN_HELP,
  uiOptions,
  type UiFlags,
} from './control-plane-flags.js';
import { POD_SECURITY_DEFAULT_HELP, POD_SECURITY_EXEMPT_HELP, podSecurityOptions, type PodSecurityFlags } from './pod-security-flags.js';
import { catchStopSignals } from './signals.js';

const serverModule = () => import('./server-command.js');
const nodeModule = () => import('./node-command.js');

interface UpOptions {
  dataDir?: string;
  listen: string;
  podCidr?: string;
  nodeName?: string;
  containerd?: string;
  runtime: RuntimeMode;
  insecureRegistry: string[];
  proxy: ProxyMode;
}
type UpFlags = UpOptions &
  NetworkFlags &
  DnsFlags &
  TokenFlags &
  PodSecurityFlags &
  FairnessFlags &
  MetricsFlags &
  StoreGuardFlags &
  ControlLoopsFlags &
  UiFlags;

export function registerUpCommand(program: Command): void {
  addFairnessFlags(program.command('up'))
    .description('all-in-one: control plane plus a node agent for this host')
    .option('--data-dir <dir>', 'state directory (default $TANDEM_HOME, else ~/.tandem; %ProgramData%\\tandem on Windows)')
    .option('--listen <host:port>', 'address to serve the API on', '127.0.0.1:6443')
    .option('--pod-cidr <cidr>', "this node's pod network (default: one from --cluster-cidr, given by the control plane)")
    .option('--service-cidr <cidr>', 'the range Service ClusterIPs come from', '10.96.0.0/16')
    .option('--cluster-cidr <cidr>', 'the range node pod ranges (spec.podCIDR) come from', '10.42.0.0/16')
    .option('--node-cidr-mask-size <bits>', "prefix length of each node's pod range", '24')
    .option('--node-name <name>', 'node name (default: the hostname)')
    .option('--containerd <endpoint>', 'use this containerd instead of starting a private one (unix:///path)')
    .option('--runtime <mode>', RUNTIME_HELP, parseRuntimeMode, 'auto')
    .option('--insecure-registry <host>', INSECURE_HELP, collect, [])
    .option('--proxy <mode>', PROXY_HELP, parseProxyMode, 'auto')
    .option('--cluster-dns-listen <host:port>', 'where the cluster DNS server listens (default 0.0.0.0:1053; "none": no cluster DNS)')
    .option('--cluster-domain <domain>', 'the DNS domain of Services and pods', 'cluster.local')
    .option('--service-account-issuer <url>', ISSUER_HELP)
    .option('--api-audiences <list>', AUDIENCES_HELP)
    .option('--pod-security-default <policy>', POD_SECURITY_DEFAULT_HELP)
    .option('--pod-security-exempt <kind=name>', POD_SECURITY_EXEMPT_HELP, collect, [])
    .option('--controllers-metrics-listen <host:port>', CONTROLLERS_METRICS_HELP)
    .option('--allow-empty-store', ALLOW_EMPTY_STORE_HELP)
    .option('--control-loops <mode>', CONTROL_LOOPS_HELP, parseControlLoops)
    .option('--ui-listen <host:port>', UI_LISTEN_HELP)
    .action(async (o: UpFlags) => {
      const signals = catchStopSignals(log); // a signal during the start stops it once started, never half-way
      const dataDir = resolveDataDir(o.dataDir);
      const [{ runServer }, { nodeUnsupportedReason, startNode }] = await Promise.all([serverModule(), nodeModule()]);
      const s = await runServer({
        dataDir,
        listen: o.listen,
        log: createLogger({ write: writeOut }),
        ...networkOptions(o),
        ...dnsOptions(o),
        ...tokenOptions(o),
        ...podSecurityOptions(o),
        ...fairnessOptions(o),
        ...metricsOptions(o),
        ...storeGuardOptions(o),
        ...uiOptions(o),
        ...(o.insecureRegistry.length ? { insecureRegistries: o.insecureRegistry } : {}),
        ...(o.controlLoops ? { controlLoops: o.controlLoops } : {}),
      }).catch(fail);
      const why = o.runtime === 'containerd' && !o.containerd ? nodeUnsupportedReason() : undefined;
      let stopNode: () => Promise<void> = async () => undefined;
      if (why) {
        log(`note: running the control plane alone, pods will not run on this host: ${why}`);
      } else {
        try {
          const { createRestClient } = await import('../client/rest-client.js');
          const { nodeUser } = await import('../apiserver/index.js');
          // the agent runs as its node (system:node:NAME): the Node authorizer and NodeRestriction judge it
          const nodeName = (o.nodeName ?? hostname()).toLowerCase();
          const client = createRestClient({
            server: s.url,
            caPem: s.tls.ca,
            token: s.tokenFor(nodeUser(nodeName)),
            userAgent: 'tandem-agent',
          });
          const node = await startNode({
            client,
            dataDir: join(dataDir, 'agent'),
            ...(o.podCidr ? { podCidr: o.podCidr } : {}),
            tls: { cert: s.tls.cert, key: s.tls.key },
            clusterCa: s.tls.ca,
            log: createLogger({ write: writeOut }).child('agent'),
            progress,
            runtimes: o.runtime,
            insecureRegistries: o.insecureRegistry,
            proxy: o.proxy,
            clusterCidr: o.clusterCidr,
            nodeName,
            ...(o.containerd ? { containerdEndpoint: o.containerd } : {}),
            clusterDns: [s.clusterDns.serviceIp],
            clusterDomain: s.clusterDns.domain,
          });
          await progress.step(`registering node ${node.nodeName}`, () => node.agent.ready(), {
            slowAfterMs: 20_000,
            slowHint: `the agent registers the Node and lists its pods through the API server at ${s.url}: is it answering?`,
          });
          log(`node ${node.nodeName} ready (pods on ${node.podCidr ?? 'the host network: native processes only'})`);
          stopNode = async () => {
            await node.stop();
            client.close();
          };
        } catch (e) {
          // a pod range someone else routes is refused outright: a node whose pods are unreachable is worse than none
          if (e instanceof Error && e.name === 'PodCidrTakenError') {
            await s.stop().catch(() => undefined);
            fail(`refusing to start the node: ${e.message}`);
          }
          log(`note: the node agent could not start, running the control plane alone: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      log(`admin kubeconfig: ${s.kubeconfig}\n  export KUBECONFIG=${s.kubeconfig}\n  kubectl get nodes`);
      signals.stopWith(async () => {
        await stopNode();
        await s.stop();
      });
    });
}
