// The control loops that run inside `tandem server` / `tandem up`: the scheduler and the
// controllers, started while this process holds the leader Lease (kube-system/tandem-control-plane),
// so that several servers sharing one store run them once.

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { RestClient } from '../client/rest-client.js';
import { createInformerFactory, type InformerFactory } from '../client/informer-factory.js';
import { createEventRecorder } from '../client/event-recorder.js';
import { startLeaderElection } from '../client/leader-election.js';
import {
  startDaemonSetController, startDeploymentController, startEndpointsController, startGarbageCollector, startJobController,
  startNamespaceController, startNodeLifecycleController, startReplicaSetController, startServiceAccountController,
} from '../controllers/index.js';
import { startScheduler } from '../scheduler/index.js';

export interface Controllers {
  /** Resolves once this process leads and every component has synced its caches. */
  ready(): Promise<void>;
  isLeader(): boolean;
  stop(): Promise<void>;
}

interface Component { ready(): Promise<void>; stop(): Promise<void> }

interface Shared { client: RestClient; informers: InformerFactory; log: (l: string) => void }

/** Every component, by the name `--controllers` and tests use. */
const COMPONENTS: Record<string, (d: Shared) => Component> = {
  'namespace': (d) => startNamespaceController(d.client, { log: d.log }),
  'garbage-collector': (d) => startGarbageCollector(d.client, { log: d.log }),
  'scheduler': (d) => startScheduler({ ...d, recorder: createEventRecorder(d.client, 'default-scheduler', { log: d.log }) }),
  'replicaset': (d) => startReplicaSetController({ ...d, recorder: createEventRecorder(d.client, 'replicaset-controller', { log: d.log }) }),
  'deployment': (d) => startDeploymentController({ ...d, recorder: createEventRecorder(d.client, 'deployment-controller', { log: d.log }) }),
  'daemonset': (d) => startDaemonSetController({ ...d, recorder: createEventRecorder(d.client, 'daemonset-controller', { log: d.log }) }),
  'job': (d) => startJobController({ ...d, recorder: createEventRecorder(d.client, 'job-controller', { log: d.log }) }),
  'endpoints': (d) => startEndpointsController(d),
  'serviceaccount': (d) => startServiceAccountController(d),
  'node-lifecycle': (d) => startNodeLifecycleController({
    ...d, recorder: createEventRecorder(d.client, 'node-controller', { log: d.log }),
    ...(process.env['TANDEM_NODE_GRACE_MS'] ? { nodeMonitorGracePeriodMs: Number(process.env['TANDEM_NODE_GRACE_MS']) } : {}),
  }),
};

export const ALL_COMPONENTS: readonly string[] = Object.keys(COMPONENTS);

export interface ControllerOptions {
  /** Which components to run (default: all). */
  only?: readonly string[];
  /** Lease duration for leader election (s); default 15. */
  leaseDurationSeconds?: number;
}

export function startControllers(client: RestClient, log: (l: string) => void, opts: ControllerOptions = {}): Controllers {
  const names = opts.only ?? ALL_COMPONENTS;
  for (const n of names) if (!COMPONENTS[n]) throw new Error(`unknown controller "${n}" (known: ${ALL_COMPONENTS.join(', ')})`);
  let running: Component[] = [];
  let informers: InformerFactory | undefined;
  let resolveReady!: () => void;
  const readyP = new Promise<void>((r) => { resolveReady = r; });
  const identity = `${hostname()}_${randomBytes(6).toString('hex')}`;

  const startAll = () => {
    informers = createInformerFactory(client);
    const shared: Shared = { client, informers, log };
    running = names.map((n) => COMPONENTS[n]!(shared));
    informers.start();
    Promise.all(running.map((c) => c.ready())).then(() => resolveReady(), (e: unknown) => log(`controllers failed to start: ${String(e)}`));
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
    name: 'tandem-control-plane', identity, leaseDurationSeconds: opts.leaseDurationSeconds ?? 15, log,
    onStartedLeading: () => { log(`leading as ${identity}: started ${names.join(', ')}`); startAll(); },
    onStoppedLeading: () => { log('lost the leader lease: scheduler and controllers stopped'); void stopAll(); },
  });

  return {
    ready: () => readyP,
    isLeader: () => elector.isLeader(),
    async stop() {
      await elector.stop();
      await stopAll();
    },
  };
}
