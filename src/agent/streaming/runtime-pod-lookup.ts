// The streaming server's view of the node's pods, kept from the runtime itself (sandboxes and
// containers carry the pod's namespace, name and uid as labels): refreshed periodically and on
// demand, so the streaming server never depends on the pod workers' internals.
//
// Like the kubelet, it serves every pod the runtime still holds, not only running ones: a Completed
// or Failed pod keeps its stopped sandbox and exited containers (and their log files) until the pod
// is deleted, so `kubectl logs` of a finished Job's pod, or `--previous` of a restarted container,
// still finds them.

import { join } from 'node:path';
import type { ContainerStatus, Runtime, SandboxStatus } from '../runtime/runtime.js';
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

const newestFirst = (a: SandboxStatus, b: SandboxStatus) => b.createdAt - a.createdAt || b.attempt - a.attempt;

/**
 * The sandbox that stands for a pod name: a ready one first (a pod deleted and created again under the
 * same name may leave the old pod's stopped sandboxes behind for a moment), else the newest.
 */
function representative(sandboxes: SandboxStatus[]): SandboxStatus | undefined {
  const sorted = [...sandboxes].sort(newestFirst);
  return sorted.find((s) => s.state === 'ready') ?? sorted[0];
}

/** Pods by `namespace/name`, from everything the runtime holds. */
function podsOf(sandboxes: SandboxStatus[], containers: ContainerStatus[], dataDir: string): Map<string, StreamPod> {
  const byName = new Map<string, SandboxStatus[]>();
  const uidOf = (s: SandboxStatus) => s.labels[UID] ?? s.uid;
  for (const s of sandboxes) {
    const key = `${s.labels[NS] ?? s.namespace}/${s.labels[NAME] ?? s.name}`;
    byName.set(key, [...(byName.get(key) ?? []), s]);
  }
  const out = new Map<string, StreamPod>();
  const byUid = new Map<string, StreamPod>();
  const sandboxUid = new Map(sandboxes.map((s) => [s.id, uidOf(s)]));
  for (const [key, list] of byName) {
    const chosen = representative(list);
    if (!chosen) continue;
    const uid = uidOf(chosen);
    const ns = chosen.labels[NS] ?? chosen.namespace;
    const name = chosen.labels[NAME] ?? chosen.name;
    const pod: StreamPod = {
      uid,
      sandboxId: chosen.id,
      containers: new Map(),
      logDir: join(dataDir, 'logs', 'pods', `${ns}_${name}_${uid}`),
      ...(chosen.state === 'ready' && chosen.ip ? { podIP: chosen.ip } : {}),
    };
    out.set(key, pod);
    byUid.set(uid, pod);
  }
  // a container of any sandbox of the pod (a re-created sandbox continues the attempts): the newest attempt of each name
  const newest = new Map<string, ContainerStatus>();
  for (const c of containers) {
    const uid = c.labels[UID] ?? (c.sandboxId ? sandboxUid.get(c.sandboxId) : undefined);
    if (uid === undefined || !byUid.has(uid)) continue;
    const k = `${uid}/${c.labels[CONTAINER] ?? c.name}`;
    const prev = newest.get(k);
    if (!prev || c.attempt > prev.attempt || (c.attempt === prev.attempt && c.createdAt > prev.createdAt)) newest.set(k, c);
  }
  for (const [k, c] of newest) byUid.get(k.slice(0, k.indexOf('/')))?.containers.set(k.slice(k.indexOf('/') + 1), c.id);
  return out;
}

/** `dataDir` is the agent's data dir: container logs live under DATA/logs/pods/<ns>_<name>_<uid>. */
export function createRuntimePodLookup(runtime: Runtime, dataDir: string, everyMs = 1000): RuntimePodLookup {
  let pods = new Map<string, StreamPod>();
  let stopped = false;
  const refresh = async () => {
    const [sandboxes, containers] = await Promise.all([runtime.listPodSandboxes(), runtime.listContainers()]);
    pods = podsOf(sandboxes, containers, dataDir);
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
