// The control loops that run inside `tandem server` / `tandem up`: the scheduler and the
// controllers, started while this process holds the leader Lease (kube-system/tandem-control-plane),
// so that several servers sharing one store run them once.

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { RestClient } from '../client/rest-client.js';
import { createInformerFactory, type InformerFactory } from '../client/informer-factory.js';
import { createEventRecorder } from '../client/event-recorder.js';
import { startLeaderElection } from '../client/leader-election.js';
import { startGarbageCollector, startNamespaceController } from '../controllers/index.js';
import { startScheduler } from '../scheduler/index.js';

export interface Controllers {
  /** Resolves once this process leads and every component has synced its caches. */
  ready(): Promise<void>;
  isLeader(): boolean;
  stop(): Promise<void>;
}

interface Component { ready(): Promise<void>; stop(): Promise<void> }

export interface ControllerOptions {
  /** Lease duration for leader election (s); default 15. */
  leaseDurationSeconds?: number;
}

export function startControllers(client: RestClient, log: (l: string) => void, opts: ControllerOptions = {}): Controllers {
  let running: Component[] = [];
  let informers: InformerFactory | undefined;
  let resolveReady!: () => void;
  const readyP = new Promise<void>((r) => { resolveReady = r; });
  const identity = `${hostname()}_${randomBytes(6).toString('hex')}`;

  const startAll = () => {
    informers = createInformerFactory(client);
    const deps = { client, informers, log };
    running = [
      startNamespaceController(client, { log }),
      startGarbageCollector(client, { log }),
      startScheduler({ ...deps, recorder: createEventRecorder(client, 'default-scheduler', { log }) }),
    ];
    informers.start();
    Promise.all(running.map((c) => c.ready())).then(() => resolveReady(), (e: unknown) => log(`controllers failed to start: ${String(e)}`));
  };
  const stopAll = async () => {
    const r = running;
    running = [];
    await Promise.all(r.map((c) => c.stop()));
    await informers?.stop();
    informers = undefined;
  };

  const elector = startLeaderElection(client, {
    name: 'tandem-control-plane', identity, leaseDurationSeconds: opts.leaseDurationSeconds ?? 15, log,
    onStartedLeading: () => { log(`leading as ${identity}: scheduler and controllers started`); startAll(); },
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
