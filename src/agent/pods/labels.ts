// The labels the agent puts on sandboxes and containers (the kubelet's keys), and how the agent
// groups what the runtime reports by pod.

import type { ContainerStatus, SandboxStatus } from '../runtime/runtime.js';

export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
/** Marks sandboxes and containers made by this agent. */
export const MANAGED_LABEL = 'io.tandem.agent';

/** What the runtime holds for one pod. */
export interface PodRuntimeView {
  sandboxes: SandboxStatus[];
  containers: ContainerStatus[];
}

const newestFirst = (a: { attempt: number; createdAt: number }, b: { attempt: number; createdAt: number }) =>
  b.createdAt - a.createdAt || b.attempt - a.attempt;

export function groupByPod(sandboxes: SandboxStatus[], containers: ContainerStatus[]): Map<string, PodRuntimeView> {
  const out = new Map<string, PodRuntimeView>();
  const get = (uid: string) => { let v = out.get(uid); if (!v) { v = { sandboxes: [], containers: [] }; out.set(uid, v); } return v; };
  for (const s of sandboxes) { const uid = s.labels[POD_UID_LABEL] ?? s.uid; if (uid) get(uid).sandboxes.push(s); }
  for (const c of containers) { const uid = c.labels[POD_UID_LABEL]; if (uid) get(uid).containers.push(c); }
  for (const v of out.values()) { v.sandboxes.sort(newestFirst); v.containers.sort(newestFirst); }
  return out;
}

/** The containers of one name, newest (highest attempt) first. */
export function containersNamed(view: PodRuntimeView, name: string): ContainerStatus[] {
  return view.containers.filter((c) => (c.labels[CONTAINER_NAME_LABEL] ?? c.name) === name).sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
}

/** The newest ready sandbox, if any. */
export function readySandbox(view: PodRuntimeView): SandboxStatus | undefined {
  return view.sandboxes.find((s) => s.state === 'ready');
}
