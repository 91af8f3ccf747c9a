// The node agent: registers the Node, renews its Lease, reports its status, and runs the pods the
// scheduler binds to it through the Runtime. The streaming server and stats are wired separately;
// the agent advertises the streaming port in status.daemonEndpoints.

import type { Pod, Service, Taint } from '../api/gen/types.js';
import { serviceKind } from '../api/kinds/core/service.js';
import { createInformer } from '../client/informer.js';
import { collectionPath } from '../client/paths.js';
import { windowsHostOf } from '../api/scheduling/windows-pod-isolation.js';
import { realClock, type Clock } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import { createEventRecorder } from '../client/event-recorder.js';
import type { RestClient } from '../client/rest-client.js';
import type { ImageFactsSource } from '../client/registry/image-facts.js';
import type { Platform } from './platform/common/platform.js';
import type { Runtime } from './runtime/runtime.js';
import { createNodeAgent } from './node/node-agent.js';
import { capacityOf } from './node/capacity.js';
import { hostDns } from './node/resolv-conf.js';
import { createCrashBackoff } from './pods/crash-backoff.js';
import { createObjectSource, type ObjectSource } from './pods/object-source.js';
import type { PodMemory } from './pods/pod-context.js';
import { createPodManager } from './pods/pod-manager.js';
import type { DnsSettings, NodeDnsConfig } from './pods/dns-config.js';
import { createProbeManager } from './probes/probe-manager.js';
import { admitPod } from './pods/admit.js';
import type { SecretMedium } from './volumes/secret-medium.js';
import { apiTokenRequester, createTokenManager, type ServiceAccountTokens } from './volumes/token-manager.js';
import { apiClaimReads, createClaimSource } from './volumes/claims.js';
import { publishVolumeRoot, startLocalPathCleaner, type LocalPathCleaner } from './volumes/local-path-cleaner.js';
import { join } from 'node:path';

export interface AgentOptions {
  client: RestClient;
  nodeName: string;
  /** the node's runtime: a RuntimeRouter when it offers more than one (runtime/index.ts) */
  runtime: Runtime;
  /** the host's platform (platform/index.ts) */
  platform: Platform;
  dataDir: string;
  /** the agent's logger; each component logs through a child of it */
  log: Logger;
  podCidr?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  /** advertised as status.daemonEndpoints.kubeletEndpoint.Port (default 10250) */
  streamingPort?: number;
  /** the host's resolver settings pods build on (default: the host's resolv.conf) */
  dns?: DnsSettings;
  /** the cluster DNS Service addresses ClusterFirst pods get (kubelet's clusterDNS; default none: such pods fall back to Default) */
  clusterDns?: string[];
  /** the cluster domain of ClusterFirst pods' search list (default cluster.local) */
  clusterDomain?: string;
  clock?: Clock;
  /** periodic resync of every pod (default 10 s) */
  syncPeriodMs?: number;
  /** runtime container poll (default 1 s) */
  pollMs?: number;
  /** CrashLoopBackOff (default 10 s doubling to 300 s) and image pull back-off (the same) */
  backoff?: { initialMs?: number; maxMs?: number };
  /** node status check and lease renewal intervals (default 10 s) */
  statusCheckMs?: number;
  leaseRenewMs?: number;
  /**
   * Reads image indexes (client/registry createImageFacts): a Windows pod's sandbox of process or
   * Hyper-V isolation then pulls the index entry this node runs with that isolation, by digest.
   * Without it images are pulled as written.
   */
  imageFacts?: ImageFactsSource;
  /** tests: ConfigMap/Secret/RuntimeClass reads */
  objects?: ObjectSource;
  /** bound ServiceAccount tokens for projected volumes (default: TokenRequests through `client`) */
  tokens?: ServiceAccountTokens;
  /**
   * where Secret and projected volumes live (default: an owner-only directory on disk); the CLI
   * passes tmpfs when the agent runs as root on Linux (volumes/secret-medium.ts)
   */
  secretMedium?: SecretMedium;
}

interface AgentStats {
  pods: number;
  syncs: number;
  syncErrors: number;
  statusWrites: number;
  leaseRenewals: number;
}

export interface Agent {
  /** Resolves when the Node is registered and the pod informer has synced (adoption done). */
  ready(): Promise<void>;
  /** Stops the agent's loops; pods are left running (an agent restart adopts them). */
  stop(opts?: { leavePodsRunning?: boolean }): Promise<void>;
  stats(): AgentStats;
}

export function startAgent(o: AgentOptions): Agent {
  const clock = o.clock ?? realClock;
  const log = o.log;
  const events = createEventRecorder(o.client, 'kubelet', { host: o.nodeName, log: log.child('events'), now: () => clock.now() });
  const memories = new Map<string, PodMemory>();
  /** pods that hold this node's resources: admitted (or found running) and not finished */
  const isActive = (p: Pod): boolean => {
    const phase = memories.get(p.metadata.uid ?? '')?.lastStatus?.phase ?? p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return false;
    return memories.get(p.metadata.uid ?? '')?.admitted === true || p.status?.startTime != null;
  };
  let manager: ReturnType<typeof createPodManager> | undefined;
  const node = createNodeAgent({
    client: o.client,
    runtime: o.runtime,
    platform: o.platform,
    clock,
    nodeName: o.nodeName,
    kubeletPort: o.streamingPort ?? 10250,
    log: log.child('node'),
    ...(o.podCidr ? { podCidr: o.podCidr } : {}),
    ...(o.labels ? { labels: o.labels } : {}),
    ...(o.taints ? { taints: o.taints } : {}),
    ...(o.statusCheckMs ? { statusCheckMs: o.statusCheckMs } : {}),
    ...(o.leaseRenewMs ? { leaseRenewMs: o.leaseRenewMs } : {}),
  });
  let stopped = false;
  // the Services containers' environment names (KUBERNETES_SERVICE_HOST, service links)
  const services = createInformer<Service>(o.client, { path: collectionPath(serviceKind), log: log.child('services') });
  // local-path volumes live under DATA/volumes; the provisioner learns the path from the Node
  const volumeRoot = join(o.dataDir, 'volumes');
  let volumes: LocalPathCleaner | undefined;

  const started = (async () => {
    const [host, version, hostResolv] = await Promise.all([
      o.platform.hostInfo(),
      o.runtime.version(),
      o.dns ? Promise.resolve(o.dns) : hostDns(),
    ]);
    await node.register();
    await publishVolumeRoot(o.client, o.nodeName, volumeRoot);
    volumes = startLocalPathCleaner({ client: o.client, nodeName: o.nodeName, root: volumeRoot, log: log.child('local-path'), clock });
    node.start();
    services.start();
    await services.whenSynced();
    if (stopped) return;
    const dns: NodeDnsConfig = {
      host: hostResolv,
      clusterDns: o.clusterDns ?? [],
      clusterDomain: o.clusterDomain ?? 'cluster.local',
      onWarning: (pod, w) => events.event(pod, 'Warning', w.reason, w.message),
    };
    const hostIPs = host.addresses.filter((a) => a.type === 'InternalIP').map((a) => a.address);
    const probes = createProbeManager({
      runtime: o.runtime,
      clock,
      onChange: (uid) => manager?.ctx.requeue(uid, 0),
      onFailure: (e) => {
        const pod = manager?.informer.list().find((p) => p.metadata.uid === e.podUid);
        const kind = e.kind === 'liveness' ? 'Liveness' : e.kind === 'readiness' ? 'Readiness' : 'Startup';
        if (pod) events.event(pod, 'Warning', 'Unhealthy', `${kind} probe failed: ${e.output}`.trim());
      },
    });
    manager = createPodManager(
      {
        client: o.client,
        runtime: o.runtime,
        platform: o.platform,
        objects: o.objects ?? createObjectSource(o.client),
        events,
        probes,
        crashBackoff: createCrashBackoff({ ...o.backoff, now: () => clock.now() }),
        imageBackoff: createCrashBackoff({ ...o.backoff, now: () => clock.now() }),
        clock,
        dataDir: o.dataDir,
        nodeName: o.nodeName,
        hostname: host.hostname,
        hostIPs,
        dns,
        allocatable: capacityOf(host).allocatable,
        os: host.os,
        memoryCapacity: host.memoryBytes,
        cpuCapacity: host.cpuCores,
        runtimeName: version.runtimeName || o.runtime.name,
        ...(o.imageFacts ? { imageFacts: o.imageFacts } : {}),
        tokens: o.tokens ?? createTokenManager({ request: apiTokenRequester(o.client), clock }),
        ...(o.secretMedium ? { secretMedium: o.secretMedium } : {}),
        claims: createClaimSource(apiClaimReads(o.client, (name) => volumes?.volume(name))),
        services: () => services.list(),
        windowsHost: () => {
          const n = node.current();
          return host.os === 'windows' && n ? windowsHostOf(n) : undefined;
        },
        log: log.child('pods'),
        memories,
        admit: async (pod) => {
          const uid = pod.metadata.uid;
          const others = (manager?.informer.list() ?? []).filter((p) => p.metadata.uid !== uid && isActive(p));
          let current = node.current() ?? (await node.refresh());
          let verdict = admitPod(pod, current, others);
          // the scheduler may have seen labels this agent has not read yet: read the Node once more
          if (!verdict.admit && verdict.reason === 'NodeAffinity') {
            current = await node.refresh();
            verdict = admitPod(pod, current, others);
          }
          return verdict;
        },
      },
      { ...(o.syncPeriodMs ? { syncPeriodMs: o.syncPeriodMs } : {}), ...(o.pollMs ? { pollMs: o.pollMs } : {}) },
    );
    await manager.start();
    log.info(`agent ${o.nodeName} ready`);
  })();
  started.catch((e: unknown) =>
    log.error(`agent ${o.nodeName} failed to start`, { error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );

  return {
    ready: () => started,
    async stop() {
      stopped = true;
      node.stop();
      await started.catch(() => undefined);
      await manager?.stop();
      await services.stop();
      await volumes?.stop();
      manager?.ctx.probes.stop();
      await events.flush();
    },
    stats() {
      const m = manager?.stats() ?? { pods: 0, syncs: 0, errors: 0 };
      const n = node.stats();
      return { pods: m.pods, syncs: m.syncs, syncErrors: m.errors, statusWrites: n.statusWrites, leaseRenewals: n.leaseRenewals };
    },
  };
}
