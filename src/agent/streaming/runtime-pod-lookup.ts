// The streaming server's view of the node's pods, kept from the runtime itself (sandboxes and
// containers carry the pod's namespace, name and uid as labels): refreshed periodically and on
// demand, so the streaming server never depends on the pod workers' internals.

import { join } from 'node:path';
import type { Runtime } from '../runtime/runtime.js';
import type { PodLookup, StreamPod } from './types.js';

const NS = 'io.kubernetes.pod.namespace';
const NAME = 'io.kubernetes.pod.name';
const UID = 'io.kubernetes.pod.uid';
const CONTAINER = 'io.kubernetes.container.name';

export interface RuntimePodLookup {
  lookup: PodLookup;
  refresh(): Promise<void>;
  stop(): void;
}

/** `dataDir` is the agent's data dir: container logs live under DATA/logs/pods/<ns>_<name>_<uid>. */
export function createRuntimePodLookup(runtime: Runtime, dataDir: string, everyMs = 1000): RuntimePodLookup {
  let pods = new Map<string, StreamPod>();
  let stopped = false;
  const refresh = async () => {
    const [sandboxes, containers] = await Promise.all([runtime.listPodSandboxes(), runtime.listContainers()]);
    const next = new Map<string, StreamPod & { created: number }>();
    for (const s of sandboxes) {
      if (s.state !== 'ready') continue;
      const ns = s.labels[NS] ?? s.namespace;
      const name = s.labels[NAME] ?? s.name;
      const uid = s.labels[UID] ?? s.uid;
      const key = `${ns}/${name}`;
      const prev = next.get(key);
      if (prev && prev.created > s.createdAt) continue;
      next.set(key, {
        uid,
        sandboxId: s.id,
        containers: new Map(),
        created: s.createdAt,
        logDir: join(dataDir, 'logs', 'pods', `${ns}_${name}_${uid}`),
        ...(s.ip ? { podIP: s.ip } : {}),
      });
    }
    const bySandbox = new Map([...next.values()].map((p) => [p.sandboxId, p]));
    const attempts = new Map<string, number>();
    for (const c of containers) {
      const p = c.sandboxId ? bySandbox.get(c.sandboxId) : undefined;
      if (!p) continue;
      const cname = c.labels[CONTAINER] ?? c.name;
      const k = `${p.sandboxId}/${cname}`;
      if ((attempts.get(k) ?? -1) > c.attempt) continue;
      attempts.set(k, c.attempt);
      p.containers.set(cname, c.id);
    }
    pods = next;
  };
  const timer = setInterval(() => {
    if (!stopped) refresh().catch(() => undefined);
  }, everyMs);
  timer.unref();
  void refresh().catch(() => undefined);
  return {
    // a pod (or a container of it) started since the last refresh: look again before answering "not found"
    lookup: async (ns, name, container) => {
      const cached = pods.get(`${ns}/${name}`);
      if (cached && (container === undefined || cached.containers.has(container))) return cached;
      return refresh().then(
        () => pods.get(`${ns}/${name}`),
        () => cached,
      );
    },
    refresh,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
