// Plain words for what Kubernetes says in codes: pod condition reasons, container waiting reasons,
// and the facts the fleet view groups by (OS, Windows build, isolation). Also quantity formatting.

import type { Node, Pod } from '../../src/api/gen/types.js';

const REASONS: Record<string, string> = {
  Unschedulable: 'No node can take it yet',
  SchedulerError: 'The scheduler failed while placing it',
  ContainersNotReady: 'Some containers are not ready',
  PodCompleted: 'All containers finished',
  ImagePullBackOff: 'The image could not be pulled; retrying later',
  ErrImagePull: 'The image could not be pulled',
  CrashLoopBackOff: 'A container keeps exiting; waiting before restarting it',
  ContainerCreating: 'Containers are being created',
  CreateContainerConfigError: 'A container refers to a missing ConfigMap, Secret or key',
  PodInitializing: 'Init containers are running',
  ProcessIsolation: 'Runs process-isolated: the image matches the node’s Windows build',
  HyperVIsolation: 'Runs in a Hyper-V VM: the image was built for another Windows build',
  Evicted: 'The node evicted it (out of a resource)',
  DeadlineExceeded: 'It ran longer than its deadline',
  OOMKilled: 'A container used more memory than its limit',
};

export function reasonInWords(reason: string | undefined): string | undefined {
  return reason ? REASONS[reason] : undefined;
}

export const HYPERV_HANDLER = 'runhcs-wcow-hypervisor';
export const LABEL_BUILD = 'node.kubernetes.io/windows-build';
export const ANNOTATION_ISOLATION = 'tandem.dev/isolation';
export const CONDITION_ISOLATION = 'tandem.dev/Isolation';

export const nodeOS = (n: Node) => n.metadata.labels?.['kubernetes.io/os'] ?? n.status?.nodeInfo?.operatingSystem ?? 'unknown';
export const nodeBuild = (n: Node) => n.metadata.labels?.[LABEL_BUILD];
export const nodeHyperV = (n: Node) => (n.status?.runtimeHandlers ?? []).some((h) => h.name === HYPERV_HANDLER);
export const nodeReady = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

export function podIsolation(p: Pod): string {
  const a = p.metadata.annotations?.[ANNOTATION_ISOLATION];
  if (a === 'hyperv') return 'Hyper-V';
  if (a === 'process') return 'process';
  return p.spec?.nodeSelector?.['kubernetes.io/os'] === 'windows' ? '—' : '';
}

export function podPending(p: Pod): boolean {
  return (p.status?.phase ?? 'Pending') === 'Pending';
}

/** Why a Pending pod waits, in words: the scheduler's message, else the first waiting container's. */
export function pendingWhy(p: Pod): string {
  const sched = p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (sched) return sched.message || reasonInWords(sched.reason) || sched.reason || 'Not scheduled yet';
  if (!p.spec?.nodeName) return 'Waiting for the scheduler';
  for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
    const w = cs.state?.waiting;
    if (w) return `${cs.name}: ${reasonInWords(w.reason) ?? w.reason ?? 'waiting'}${w.message ? ` — ${w.message}` : ''}`;
  }
  return `Assigned to ${p.spec.nodeName}; starting`;
}

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

export function quantity(q: string | number | undefined): number {
  if (q === undefined) return 0;
  if (typeof q === 'number') return q;
  const m = q.match(/^([0-9.]+)([a-zA-Z]*)$/);
  if (!m) return 0;
  return Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? 1);
}

export const cores = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(n >= 1 ? 1 : 2));
export const gib = (n: number) => `${(n / 1024 ** 3).toFixed(n >= 10 * 1024 ** 3 ? 0 : 1)} GiB`;

export function age(ts: string | undefined, now = Date.now()): string {
  if (!ts) return '';
  const s = Math.max(0, Math.round((now - Date.parse(ts)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Code-unit order: several times faster than localeCompare, which matters when 30,000 pods re-sort per frame. */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
