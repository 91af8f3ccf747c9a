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

/** The containers of one name, newest (highest attempt) first. */
export function containersNamed(view: PodRuntimeView, name: string): ContainerStatus[] {
  return view.containers
    .filter((c) => (c.labels[CONTAINER_NAME_LABEL] ?? c.name) === name)
    .sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
}

/** The newest ready sandbox, if any. */
export function readySandbox(view: PodRuntimeView): SandboxStatus | undefined {
  return view.sandboxes.find((s) => s.state === 'ready');
}
