// Test support for the workload controllers' server tests: stands in for the scheduler and the
// kubelets. Every new pod is bound to a fake node and reported Running and Ready; a pod being
// deleted gracefully is finished with gracePeriodSeconds=0.

import type { Pod } from '../../api/gen/types.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { StatusError } from '../../base/errors.js';
import { createInformerFactory } from '../../client/informer-factory.js';
import { objectKey } from '../../client/object-key.js';
import type { RestClient } from '../../client/rest-client.js';

export interface FakeKubelet {
  stop(): Promise<void>;
  whenSynced(): Promise<void>;
  handled: () => number;
}

export function startFakeKubelet(client: RestClient, opts: { concurrency?: number; nodes?: number } = {}): FakeKubelet {
  // its own factory: the fake kubelet is not one of the components sharing the test's informers
  const informers = createInformerFactory(client);
  const inf = informers.for(podKind);
  const podApi = client.resource(podKind);
  const pending: string[] = [];
  const queued = new Set<string>();
  let active = 0;
  let handled = 0;
  let stopped = false;
  let seq = 0;
  const limit = opts.concurrency ?? 32;
  const nodes = opts.nodes ?? 10;

  const ignore = (e: unknown) => {
    if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
  };
  async function handle(key: string): Promise<void> {
    const p = inf.get(key);
    if (!p) return;
    const ns = p.metadata.namespace ?? '';
    const name = p.metadata.name ?? '';
    const pods = podApi.namespace(ns);
    if (p.metadata.deletionTimestamp) {
      await pods.delete(name, { gracePeriodSeconds: 0 }).catch(ignore);
      return;
    }
    if (!p.spec?.nodeName) {
      const node = `fake-node-${seq++ % nodes}`;
      await pods
        .createSubresource(name, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } })
        .catch(ignore);
      return;
    }
    if (p.status?.phase !== 'Running') {
      const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      await pods
        .patchStatus(
          name,
          {
            status: {
              phase: 'Running',
              podIP: '10.0.0.1',
              startTime: t,
              conditions: [
                { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
                { type: 'Initialized', status: 'True', lastTransitionTime: t },
                { type: 'ContainersReady', status: 'True', lastTransitionTime: t },
                { type: 'Ready', status: 'True', lastTransitionTime: t },
              ],
            },
          },
          'merge',
        )
        .catch(ignore);
      handled++;
    }
  }
  function pump(): void {
    while (!stopped && active < limit && pending.length) {
      const key = pending.shift() as string;
      queued.delete(key);
      active++;
      void handle(key)
        .catch(() => undefined)
        .finally(() => {
          active--;
          pump();
        });
    }
  }
  const enqueue = (p: Pod) => {
    const k = objectKey(p);
    if (queued.has(k)) return;
    queued.add(k);
    pending.push(k);
    pump();
  };
  inf.addHandlers({ onAdd: enqueue, onUpdate: (_o, p) => enqueue(p) });
  informers.start();
  return {
    whenSynced: () => informers.whenSynced(),
    handled: () => handled,
    async stop() {
      stopped = true;
      await informers.stop();
    },
  };
}
