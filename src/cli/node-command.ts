// The node half of `tandem up` and `tandem agent`: this host's platform, a supervised private
// containerd (when none is given), the runtime router over the CRI runtime, the streaming server,
// and the agent that registers this host as a Node.

import { hostname } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Logger } from '../base/log.js';
import { realClock } from '../base/clock.js';
import type { RestClient } from '../client/rest-client.js';
import {
  createHostPlatform,
  createRuntimeRouter,
  ensurePauseArchive,
  hostUnavailableReason,
  PAUSE_IMAGE,
  startAgent,
  waitForPodCidr,
  type Agent,
  type Runtime,
} from '../agent/index.js';
import { createCriRuntime } from '../agent/runtime/cri/index.js';
import { createRuntimePodLookup, startStreamingServer } from '../agent/streaming/index.js';
import { createStatsProvider } from '../agent/stats/index.js';

export interface NodeOptions {
  client: RestClient;
  /** the agent's own state: DATA/agent */
  dataDir: string;
  nodeName?: string;
  /** the node's pod range; absent: the control plane's node IPAM controller gives one (waited for) */
  podCidr?: string;
  /** how long to wait for that (default 60 s) */
  podCidrWaitMs?: number;
  /** gRPC endpoint of an existing containerd; when absent a private one is started */
  containerdEndpoint?: string;
  /** TLS for the streaming server, and the bearer token the API server presents to it */
  tls: { cert: string; key: string };
  streamingToken: string;
  streamingListen?: { host: string; port: number };
  /** the node's logger (the agent, its platform and its streaming server log through children) */
  log: Logger;
  /** the cluster DNS Service addresses and domain ClusterFirst pods get (kubelet's clusterDNS, clusterDomain) */
  clusterDns?: string[];
  clusterDomain?: string;
}

export interface RunningNode {
  agent: Agent;
  /** the pod range the node runs its pods on (given, or assigned by the control plane) */
  podCidr: string;
  runtime: Runtime;
  nodeName: string;
  streamingPort: number;
  stop(): Promise<void>;
}

/** Explains why this host cannot run a node, or undefined when it can (the platform's words). */
export function nodeUnsupportedReason(): string | undefined {
  return hostUnavailableReason();
}

export async function startNode(o: NodeOptions): Promise<RunningNode> {
  const nodeName = (o.nodeName ?? hostname()).toLowerCase();
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const pause = await ensurePauseArchive(join(o.dataDir, 'images'));
  if (pause.fallback) o.log.warn('note: gcc with a static libc is missing, so the pod sandbox image runs busybox sleep');
  const platform = createHostPlatform({
    dataDir: o.dataDir,
    sandboxImage: PAUSE_IMAGE,
    sandboxImageArchive: pause.path,
    log: o.log.child('platform'),
  });
  // the pod network is configured into the runtime before it starts: without --pod-cidr, the Node
  // is registered first and the control plane's range waited for
  const podCidr =
    o.podCidr ??
    (await waitForPodCidr({
      client: o.client,
      platform,
      nodeName,
      log: o.log.child('node'),
      clock: realClock,
      ...(o.podCidrWaitMs !== undefined ? { timeoutMs: o.podCidrWaitMs } : {}),
    }));
  let endpoint = o.containerdEndpoint;
  let managed: { stop(): Promise<void> } | undefined;
  if (!endpoint) {
    const m = await platform.startRuntime({ dataDir: o.dataDir, podCidr });
    if (!m) throw new Error(`cannot start containerd: ${platform.whyUnavailable() ?? 'see the log above'}`);
    managed = m;
    endpoint = m.endpoint;
  }
  // one runtime for now; the router is where a second one (native processes) joins
  const runtime = createRuntimeRouter({ default: createCriRuntime(endpoint) });
  const lookup = createRuntimePodLookup(runtime, o.dataDir, 500);
  const stats = createStatsProvider({ runtime, nodeName });
  const streaming = await startStreamingServer({
    runtime,
    podLookup: lookup.lookup,
    listen: o.streamingListen ?? { host: '0.0.0.0', port: 0 },
    tls: o.tls,
    authToken: o.streamingToken,
    log: o.log.child('streaming'),
    nodeName,
    stats,
  });
  const agent = startAgent({
    client: o.client,
    nodeName,
    runtime,
    platform,
    dataDir: o.dataDir,
    log: o.log,
    podCidr,
    streamingPort: streaming.port,
    ...(o.clusterDns ? { clusterDns: o.clusterDns } : {}),
    ...(o.clusterDomain ? { clusterDomain: o.clusterDomain } : {}),
  });
  return {
    agent,
    podCidr,
    runtime,
    nodeName,
    streamingPort: streaming.port,
    async stop() {
      await agent.stop({ leavePodsRunning: true });
      lookup.stop();
      await streaming.stop();
      await runtime.close();
      // containerd stops; its shims keep the pods running for the next start to adopt
      await managed?.stop();
    },
  };
}
