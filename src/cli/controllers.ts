// The control loops that run inside `tandem server` / `tandem up`: the scheduler and the
// controllers, started while this process holds the leader Lease (kube-system/tandem-control-plane),
// so that several servers sharing one store run them once.

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../base/log.js';
import type { RestClient } from '../client/rest-client.js';
import { createInformerFactory, type InformerFactory } from '../client/informer-factory.js';
import { createEventRecorder } from '../client/event-recorder.js';
import { createImageFacts } from '../client/registry/index.js';
import { startLeaderElection } from '../client/leader-election.js';
import {
  startDaemonSetController,
  startDeploymentController,
  startEndpointsController,
  startGarbageCollector,
  startJobController,
  startNamespaceController,
  startNodeIpamController,
  startNodeLifecycleController,
  startPodGcController,
  podGcOptionsFromEnv,
  startReplicaSetController,
  startReplicationController,
  startResourceQuotaController,
  startDisruptionController,
  startServiceAccountController,
  startClusterRoleAggregationController,
  startRootCaPublisher,
  startCsrApprovingController,
  startCsrSigningController,
  startCsrCleanerController,
  startBootstrapTokenCleaner,
  startStatefulSetController,
  startCronJobController,
  startHpaController,
  hpaOptionsFromEnv,
  type AccessCheck,
} from '../controllers/index.js';
import { startEphemeralVolumeController, startLocalPathProvisioner, startPersistentVolumeController } from '../controllers/index.js';
import { startScheduler } from '../scheduler/index.js';
import { LOCAL_PATH_PROVISIONER } from '../api/storage/well-known.js';
import { serveControlLoopMetrics } from './component-metrics.js';

export interface Controllers {
  /** Resolves once this process leads and every component has synced its caches. */
  ready(): Promise<void>;
  isLeader(): boolean;
  stop(): Promise<void>;
}

interface Component {
  ready(): Promise<void>;
  stop(): Promise<void>;
}

interface Shared {
  /** the client of a component (its own identity) */
  clientFor(component: string): RestClient;
  informers: InformerFactory;
  /** The controllers' logger (each controller makes its own child). */
  log: Logger;
  opts: ControllerOptions;
}

const deps = (d: Shared, component: string, recorderName?: string) => ({
  client: d.clientFor(component),
  informers: d.informers,
  log: d.log,
  ...(recorderName ? { recorder: createEventRecorder(d.clientFor(component), recorderName, { log: d.log.child(recorderName) }) } : {}),
});

/** Every component, by the name `--controllers` and tests use. */
const COMPONENTS: Record<string, (d: Shared) => Component> = {
  namespace: (d) => startNamespaceController(deps(d, 'namespace')),
  'garbage-collector': (d) => startGarbageCollector(deps(d, 'garbage-collector')),
  scheduler: (d) =>
    startScheduler({
      client: d.clientFor('scheduler'),
      informers: d.informers,
      log: d.log.child('scheduler'),
      recorder: createEventRecorder(d.clientFor('scheduler'), 'default-scheduler', { log: d.log.child('default-scheduler') }),
      // the isolation autopilot reads Windows images' platforms from their registries (never waiting on them)
      imageFacts: createImageFacts({
        log: d.log.child('image-facts'),
        ...(d.opts.insecureRegistries?.length ? { insecureRegistries: [...d.opts.insecureRegistries] } : {}),
      }),
    }),
  replicaset: (d) => startReplicaSetController(deps(d, 'replicaset', 'replicaset-controller')),
  deployment: (d) => startDeploymentController(deps(d, 'deployment', 'deployment-controller')),
  daemonset: (d) => startDaemonSetController(deps(d, 'daemonset', 'daemonset-controller')),
  job: (d) => startJobController(deps(d, 'job', 'job-controller')),
  endpoints: (d) => startEndpointsController(deps(d, 'endpoints')),
  serviceaccount: (d) => startServiceAccountController(deps(d, 'serviceaccount')),
  'root-ca-publisher': (d) => {
    if (!d.opts.rootCaPem) throw new Error('the root-ca-publisher controller needs the cluster CA (ControllerOptions.rootCaPem)');
    return startRootCaPublisher({ ...deps(d, 'root-ca-publisher'), caPem: d.opts.rootCaPem });
  },
  'node-lifecycle': (d) =>
    startNodeLifecycleController({
      ...deps(d, 'node-lifecycle', 'node-controller'),
      ...(process.env['TANDEM_NODE_GRACE_MS'] ? { nodeMonitorGracePeriodMs: Number(process.env['TANDEM_NODE_GRACE_MS']) } : {}),
    }),
  nodeipam: (d) => startNodeIpamController({ ...deps(d, 'nodeipam', 'node-controller'), ...d.opts.nodeIpam }),
  'clusterrole-aggregation': (d) => startClusterRoleAggregationController(deps(d, 'clusterrole-aggregation')),
  'pod-garbage-collector': (d) => startPodGcController({ ...deps(d, 'pod-garbage-collector'), ...podGcOptionsFromEnv(process.env, d.log) }),
  // certificates: the approver, the signer (only where the CA key is at hand) and the cleaner
  csrapproving: (d) =>
    startCsrApprovingController({ ...deps(d, 'csrapproving'), ...(d.opts.csrAccess ? { access: d.opts.csrAccess } : {}) }),
  csrsigning: (d) => {
    if (d.opts.ca) return startCsrSigningController({ ...deps(d, 'csrsigning'), ca: d.opts.ca });
    d.log.warn('csrsigning: no CA key, CertificateSigningRequests will not be signed');
    return { ready: async () => undefined, stop: async () => undefined };
  },
  csrcleaner: (d) => startCsrCleanerController(deps(d, 'csrcleaner')),
  tokencleaner: (d) => startBootstrapTokenCleaner(deps(d, 'tokencleaner')),
  'persistentvolume-binder': (d) => startPersistentVolumeController(deps(d, 'persistentvolume-binder', 'persistentvolume-controller')),
  'local-path-provisioner': (d) => startLocalPathProvisioner(deps(d, 'local-path-provisioner', LOCAL_PATH_PROVISIONER)),
  'ephemeral-volume': (d) => startEphemeralVolumeController(deps(d, 'ephemeral-volume', 'ephemeral_volume')),
  replicationcontroller: (d) => startReplicationController(deps(d, 'replicationcontroller', 'replication-controller')),
  resourcequota: (d) => startResourceQuotaController(deps(d, 'resourcequota', 'resourcequota-controller')),
  statefulset: (d) => startStatefulSetController(deps(d, 'statefulset', 'statefulset-controller')),
  cronjob: (d) => startCronJobController(deps(d, 'cronjob', 'cronjob-controller')),
  horizontalpodautoscaling: (d) =>
    startHpaController({ ...deps(d, 'horizontalpodautoscaling', 'horizontal-pod-autoscaler'), ...hpaOptionsFromEnv(process.env, d.log) }),
  disruption: (d) => startDisruptionController(deps(d, 'disruption', 'controllermanager')),
};

const ALL_COMPONENTS: readonly string[] = Object.keys(COMPONENTS);

/** The components `only` names (default: all), checked: an unknown name is an error naming the known ones. */
export function componentNames(only?: readonly string[]): readonly string[] {
  const names = only ?? ALL_COMPONENTS;
  for (const n of names) if (!COMPONENTS[n]) throw new Error(`unknown controller "${n}" (known: ${ALL_COMPONENTS.join(', ')})`);
  return names;
}

/**
 * The control-plane Lease's duration. A follower takes the Lease when it runs out (leader-election.ts
 * wakes at that moment), i.e. at most this long after the dead leader's last renewal; then its
 * components start (~0.5–1 s measured). Upstream's 15 s with a 2 s retry gives a 15–17 s handover,
 * over issue 17's 15 s; 13 s gives ≤ 13 s + start-up. The leader still gives up after ~0.66 of it
 * without a renewal (8.6 s), well before another can take over.
 */
const CONTROL_PLANE_LEASE_SECONDS = 13;

export interface ControllerOptions {
  /** Which components to run (default: all). */
  only?: readonly string[];
  /**
   * Lease duration for leader election (s); default 13 (CONTROL_PLANE_LEASE_SECONDS), under upstream's
   * 15 so that a surviving server's scheduler and controllers are working within 15 s of the leader's death.
   */
  leaseDurationSeconds?: number;
  /** The pod range Nodes get their podCIDR from (`--cluster-cidr`, `--node-cidr-mask-size`). */
  nodeIpam?: { clusterCidr?: string; nodeCidrMaskSize?: number };
  /** Registries the scheduler may read image indexes from over plain HTTP (`--insecure-registry`; loopback always may). */
  insecureRegistries?: readonly string[];
  /** the cluster CA (PEM) that the root-ca-publisher puts in every namespace's kube-root-ca.crt */
  rootCaPem?: string;
  /** Each component's own client (its identity); default: `client` for all. */
  clientFor?: (component: string) => RestClient;
  /** the cluster CA the CSR signer signs with (`tandem server` reads DATA/pki/ca.key) */
  ca?: { certPem: string; keyPem: string };
  /** whether a CSR's requestor may get node client certificates (the approver's SubjectAccessReview) */
  csrAccess?: AccessCheck;
  /** serve /metrics and /healthz of the control loops (kube-controller-manager's secure port) */
  metrics?: { listen: string; tls: { cert: string; key: string } };
  /**
   * The leader Lease's holder identity (default: hostname_random). A control-loop host restarted
   * after a crash passes its predecessor's, so it takes the Lease back at once instead of waiting it out.
   */
  identity?: string;
  /** told each time this process starts or stops leading (a control-loop host reports it to the server) */
  onLeaderChange?: (leading: boolean) => void;
}

/** A leader Lease holder identity: this host's name and a random suffix (one per server process). */
export const leaderIdentity = (): string => `${hostname()}_${randomBytes(6).toString('hex')}`;

/** Starts the components under the leader lease; they log through `log`'s `controllers` child. */
export function startControllers(client: RestClient, log: Logger, opts: ControllerOptions = {}): Controllers {
  const clog = log.child('controllers');
  const names = componentNames(opts.only);
  let running: Component[] = [];
  let informers: InformerFactory | undefined;
  let resolveReady!: () => void;
  const readyP = new Promise<void>((r) => {
    resolveReady = r;
  });
  const identity = opts.identity ?? leaderIdentity();

  const startAll = () => {
    informers = createInformerFactory(client);
    const shared: Shared = { clientFor: opts.clientFor ?? (() => client), informers, log: clog, opts };
    running = names.map((n) => COMPONENTS[n]!(shared));
    informers.start();
    Promise.all(running.map((c) => c.ready())).then(
      () => resolveReady(),
      (e: unknown) => clog.error('failed to start', { error: String(e) }),
    );
  };
  const stopAll = async () => {
    const r = running;
    const inf = informers;
    running = [];
    informers = undefined;
    await Promise.all(r.map((c) => c.stop()));
    await inf?.stop();
  };

  if (names.length === 0) {
    resolveReady();
    return { ready: () => readyP, isLeader: () => false, stop: async () => undefined };
  }
  const elector = startLeaderElection(client, {
    name: 'tandem-control-plane',
    identity,
    leaseDurationSeconds: opts.leaseDurationSeconds ?? CONTROL_PLANE_LEASE_SECONDS,
    log: clog,
    onStartedLeading: () => {
      clog.info('leading: components started', { identity, components: names.join(',') });
      startAll();
      opts.onLeaderChange?.(true);
    },
    onStoppedLeading: () => {
      clog.warn('lost the leader lease: scheduler and controllers stopped', { identity });
      opts.onLeaderChange?.(false);
      void stopAll();
    },
  });

  const metrics = opts.metrics ? serveControlLoopMetrics(client, clog, opts.metrics) : undefined;
  return {
    ready: () => readyP,
    isLeader: () => elector.isLeader(),
    async stop() {
      await metrics?.close();
      await elector.stop();
      await stopAll();
    },
  };
}
