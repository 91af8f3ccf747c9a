// The node half of `tandem up` and `tandem agent`: this host's platform, its runtimes behind one
// router (containerd over the CRI, started privately on Linux when none is given, found on its named
// pipe on Windows; and the native process runtime, which every host has), the streaming server, and
// the agent that registers this host as a Node.

import { hostname } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Logger } from '../base/log.js';
import { realClock } from '../base/clock.js';
import type { RestClient } from '../client/rest-client.js';
import { createImageFacts } from '../client/registry/index.js';
import {
  createHostPlatform,
  createImageStore,
  createRuntimeRouter,
  defaultSecretMedium,
  ensurePauseArchive,
  hostUnavailableReason,
  PAUSE_IMAGE,
  processImageRoot,
  startAgent,
  waitForPodCidr,
  type Agent,
  type Runtime,
} from '../agent/index.js';
import { createCriRuntime } from '../agent/runtime/cri/index.js';
import { createProcessRuntime } from '../agent/runtime/process/index.js';
import { createAgentAuth, createRuntimePodLookup, startStreamingServer } from '../agent/streaming/index.js';
import { createStatsProvider } from '../agent/stats/index.js';
import { startPodNetwork } from '../network/podnet/index.js';
import { chooseProxyBackend, startServiceProxy } from '../network/proxy/index.js';
import { createUserspaceBackend } from '../network/proxy/userspace/index.js';
import { hostResourceNames } from '../agent/platform/linux/index.js';
import { silentProgress, type Progress } from './progress.js';

export interface NodeOptions {
  client: RestClient;
  /** the agent's own state: DATA/agent */
  dataDir: string;
  nodeName?: string;
  /** the node's pod range; absent: the control plane's node IPAM controller gives one (waited for) */
  podCidr?: string;
  /** how long to wait for that (default 60 s) */
  podCidrWaitMs?: number;
  /** the whole pod network (the server's --cluster-cidr): pod traffic leaving it is masqueraded, inside it routed as is */
  clusterCidr?: string;
  /** gRPC endpoint of an existing containerd; when absent a private one is started (Linux) or the default pipe tried (Windows) */
  containerdEndpoint?: string;
  /**
   * Which runtimes the node runs: `process` the native process runtime alone (no container engine);
   * `containerd` containerd plus the process runtime, failing when containerd cannot be reached;
   * `auto` (default) the same, but carrying on with the process runtime alone when it cannot.
   */
  runtimes?: 'auto' | 'containerd' | 'process';
  /** registries the process runtime may reach over plain HTTP (loopback always may) */
  insecureRegistries?: string[];
  /** the service proxy: nftables rules when this host can (Linux, root, nft), else the userspace proxy; `none` runs none */
  proxy?: 'auto' | 'nftables' | 'userspace' | 'none';
  /** TLS for the streaming server */
  tls: { cert: string; key: string };
  /** the cluster CA (PEM): callers of the streaming server with a client certificate it signed are who it says;
   * bearer tokens are checked by TokenReview, and every caller's right by SubjectAccessReview */
  clusterCa: string;
  streamingListen?: { host: string; port: number };
  /** the node's logger (the agent, its platform and its streaming server log through children) */
  log: Logger;
  /** the cluster DNS Service addresses and domain ClusterFirst pods get (kubelet's clusterDNS, clusterDomain) */
  clusterDns?: string[];
  clusterDomain?: string;
  /** shows the start's long waits (the sandbox image, the pod range, containerd) as they happen; default: nothing shown */
  progress?: Progress;
}

export interface RunningNode {
  agent: Agent;
  /** the pod range the node runs its pods on (given, or assigned by the control plane); none for native processes only */
  podCidr?: string;
  runtime: Runtime;
  nodeName: string;
  streamingPort: number;
  /** the streaming server presents this certificate from the next connection on (a joined node's, from the cluster CA) */
  setServingCertificate(tls: { cert: string; key: string }): void;
  stop(): Promise<void>;
}

/** Why this host cannot run containers (containerd), or undefined when it can (the platform's words); native processes it always can. */
export function nodeUnsupportedReason(): string | undefined {
  return hostUnavailableReason();
}

export async function startNode(o: NodeOptions): Promise<RunningNode> {
  const nodeName = (o.nodeName ?? hostname()).toLowerCase();
  const mode = o.runtimes ?? 'auto';
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  // the pod sandbox image only a private containerd on Linux needs
  const privateContainerd = mode !== 'process' && !o.containerdEndpoint && process.platform === 'linux';
  const progress = o.progress ?? silentProgress;
  // built once per data dir: a C compile, then an image archive
  const pause = privateContainerd
    ? await progress.step('building the pod sandbox image', () => ensurePauseArchive(join(o.dataDir, 'images')), {
        slowAfterMs: 60_000,
        slowHint: 'it compiles a small static program with gcc (busybox sleep without gcc); this happens once per data dir',
      })
    : undefined;
  if (pause?.fallback) o.log.warn('note: gcc with a static libc is missing, so the pod sandbox image runs busybox sleep');
  const platform = createHostPlatform({
    dataDir: o.dataDir,
    ...(pause ? { sandboxImage: PAUSE_IMAGE, sandboxImageArchive: pause.path } : {}),
    log: o.log.child('platform'),
  });
  const host = await platform.hostInfo();
  const nodeIPs = host.addresses.filter((a) => a.type === 'InternalIP').map((a) => a.address);
  const images = createImageStore({
    root: processImageRoot(o.dataDir),
    platform: { os: host.os, architecture: host.arch, ...(host.os === 'windows' ? { osVersion: host.kernelVersion } : {}) },
    ...(o.insecureRegistries?.length ? { insecureRegistries: o.insecureRegistries } : {}),
    log: o.log.child('images'),
  });
  const processRuntime = createProcessRuntime({
    dataDir: o.dataDir,
    images,
    os: host.os,
    hostIPs: nodeIPs,
    log: o.log.child('process'),
  });
  let endpoint = o.containerdEndpoint;
  let managed: { stop(): Promise<void> } | undefined;
  // The pod network is configured into a private containerd before it starts: without --pod-cidr,
  // the Node is registered first and the control plane's range waited for. Native processes share
  // the host's network and need none.
  const podCidr =
    o.podCidr ??
    (privateContainerd && !platform.whyUnavailable()
      ? await progress.step(
          `waiting for the control plane to give node ${nodeName} a pod range`,
          () =>
            waitForPodCidr({
              client: o.client,
              platform,
              nodeName,
              log: o.log.child('node'),
              clock: realClock,
              ...(o.podCidrWaitMs !== undefined ? { timeoutMs: o.podCidrWaitMs } : {}),
            }),
          { slowAfterMs: 15_000, slowHint: "the server's nodeipam controller assigns it (is it running?); --pod-cidr sets one by hand" },
        )
      : undefined);
  if (mode !== 'process' && !endpoint) {
    const unavailable = platform.whyUnavailable();
    // a containerd left running is stopped first, then the new one awaited and the sandbox image imported
    const m = unavailable
      ? undefined
      : await progress.step('starting containerd', () => platform.startRuntime({ dataDir: o.dataDir, podCidr: podCidr ?? '' }), {
          slowAfterMs: 15_000,
          slowHint:
            process.platform === 'linux'
              ? `it has not answered on its socket yet; its log: ${join(o.dataDir, 'containerd', 'containerd.log')}`
              : "is the host's containerd service answering on its named pipe?",
        });
    if (m) {
      managed = m;
      endpoint = m.endpoint;
    } else {
      const why = unavailable ?? 'no containerd answers on this host';
      if (mode === 'containerd') throw new Error(`cannot start containerd: ${why}`);
      o.log.warn(`no container runtime (${why}): this node runs native processes only (RuntimeClass "process" and HostProcess pods)`);
    }
  }
  // containerd runs the default handler and its own; the process runtime the handler `process`
  const runtime = endpoint
    ? createRuntimeRouter({ default: createCriRuntime(endpoint), handlers: { process: processRuntime } })
    : createRuntimeRouter({ default: processRuntime });
  const lookup = createRuntimePodLookup(runtime, o.dataDir, 500);
  const stats = createStatsProvider({ runtime, nodeName });
  const streaming = await startStreamingServer({
    runtime,
    podLookup: lookup.lookup,
    listen: o.streamingListen ?? { host: '0.0.0.0', port: 0 },
    tls: o.tls,
    auth: createAgentAuth({ nodeName, clientCa: o.clusterCa, reviews: o.client, log: o.log.child('streaming-auth') }),
    log: o.log.child('streaming'),
    nodeName,
    stats,
  });
  // the host's nftables tables carry the data dir's hash (as the bridge does): `tandem down` finds them,
  // and a second Tandem on the host has its own
  const names = hostResourceNames(o.dataDir);
  const proxyLog = o.log.child('proxy');
  const proxyMode = o.proxy ?? 'auto';
  const chosen =
    proxyMode === 'none'
      ? undefined
      : await chooseProxyBackend({
          nodeIPs,
          ...(podCidr ? { podCIDRs: [podCidr] } : {}),
          table: names.proxyTable,
          log: proxyLog,
          mode: proxyMode,
          userspace: () => createUserspaceBackend({ log: proxyLog }),
        });
  if (chosen) proxyLog.info(`service proxy: ${chosen.backend.name} (${chosen.reason})`);
  const proxy = chosen && startServiceProxy({ client: o.client, nodeName, nodeIPs, backend: chosen.backend, log: proxyLog });
  // routes to the other nodes' pods (and the pods' masquerade to the outside) for the pods of a
  // private containerd's bridge; the CNI config leaves masquerading to it (containerd-config.ts)
  const podNet =
    managed && podCidr && host.os === 'linux'
      ? startPodNetwork({
          client: o.client,
          nodeName,
          clusterCidr: o.clusterCidr ?? '10.42.0.0/16',
          podCidr,
          table: names.podnetTable,
          ...(nodeIPs[0] ? { nodeIP: nodeIPs[0] } : {}),
          log: o.log.child('podnet'),
        })
      : undefined;
  const agent = startAgent({
    client: o.client,
    nodeName,
    runtime,
    platform,
    dataDir: o.dataDir,
    log: o.log,
    // Secret and token volumes in memory where the kubelet puts them (tmpfs, as root on Linux)
    secretMedium: defaultSecretMedium(),
    ...(podCidr ? { podCidr } : {}),
    streamingPort: streaming.port,
    ...(o.clusterDns ? { clusterDns: o.clusterDns } : {}),
    ...(o.clusterDomain ? { clusterDomain: o.clusterDomain } : {}),
    // Windows: a process- or Hyper-V-isolated pod pulls the index entry of its isolation (by digest)
    ...(host.os === 'windows'
      ? {
          imageFacts: createImageFacts({
            log: o.log.child('image-facts'),
            ...(o.insecureRegistries?.length ? { insecureRegistries: o.insecureRegistries } : {}),
          }),
        }
      : {}),
  });
  return {
    agent,
    podCidr,
    runtime,
    nodeName,
    streamingPort: streaming.port,
    setServingCertificate: (tls) => streaming.setTls(tls),
    async stop() {
      await agent.stop({ leavePodsRunning: true });
      // the node's Service rules go with it (a restart programs them afresh)
      await proxy?.stop({ cleanup: true });
      // routes stay for the pods that keep running; the next start reconciles them
      await podNet?.stop();
      lookup.stop();
      await streaming.stop();
      await runtime.close();
      // containerd stops; its shims keep the pods running for the next start to adopt
      await managed?.stop();
    },
  };
}
