// The pod statuses the simulation writes: ContainerCreating, Running and Ready, terminated
// (Succeeded / Failed), terminating before the final DELETE, and rejected at admission.

import { createHash } from 'node:crypto';
import type { ContainerStatus, Pod, PodCondition, PodStatus } from '../../api/gen/types.js';
import { podQOSClass } from '../../api/kinds/core/pod/qos.js';
import { rfc3339 } from '../../base/time.js';
import { stampPodCondition } from '../pods/pod-condition.js';
import type { StatusTarget } from './stages.js';

export interface StatusContext {
  nowMs: number;
  hostIP: string;
  /** undefined for targets that need no address */
  podIP?: string;
  exitCode?: number;
  reason?: string;
  message?: string;
}

const containerId = (uid: string, name: string) => `sim://${createHash('sha256').update(`${uid}/${name}`).digest('hex').slice(0, 32)}`;

/** Keeps lastTransitionTime of a condition whose status did not change. */
function setCondition(
  list: PodCondition[],
  old: PodCondition[] | undefined,
  type: string,
  status: string,
  now: string,
  reason?: string,
): void {
  list.push(stampPodCondition(reason ? { type, status, reason } : { type, status }, old, now));
}

function conditions(pod: Pod, now: string, s: { sandbox: boolean; ready: boolean; readyReason?: string }): PodCondition[] {
  const old = pod.status?.conditions;
  const out: PodCondition[] = [];
  const gatesOk = (pod.spec?.readinessGates ?? []).every((g) => old?.find((c) => c.type === g.conditionType)?.status === 'True');
  const ready = s.ready && gatesOk;
  setCondition(out, old, 'PodReadyToStartContainers', s.sandbox ? 'True' : 'False', now);
  setCondition(out, old, 'Initialized', 'True', now);
  setCondition(
    out,
    old,
    'Ready',
    ready ? 'True' : 'False',
    now,
    ready ? undefined : (s.readyReason ?? (s.ready ? 'ReadinessGatesNotReady' : 'ContainersNotReady')),
  );
  setCondition(out, old, 'ContainersReady', s.ready ? 'True' : 'False', now, s.ready ? undefined : (s.readyReason ?? 'ContainersNotReady'));
  setCondition(out, old, 'PodScheduled', 'True', now);
  // keep conditions owned by others (readiness gates, DisruptionTarget, ...)
  for (const c of old ?? []) if (c.type && !out.some((o) => o.type === c.type)) out.push(c);
  return out;
}

type ContainerView = 'waiting' | 'running' | 'terminated';

function containerStatuses(pod: Pod, view: ContainerView, ctx: StatusContext, now: string): ContainerStatus[] {
  const uid = pod.metadata.uid ?? '';
  const old = pod.status?.containerStatuses ?? [];
  return (pod.spec?.containers ?? []).map((c) => {
    const name = c.name ?? '';
    const prev = old.find((o) => o.name === name);
    const startedAt = prev?.state?.running?.startedAt ?? prev?.state?.terminated?.startedAt ?? now;
    const image = c.image ?? '';
    const base = {
      name,
      image,
      imageID: image ? `${image.split('@')[0] ?? image}@sha256:${createHash('sha256').update(image).digest('hex')}` : '',
      restartCount: prev?.restartCount ?? 0,
    };
    switch (view) {
      case 'waiting':
        return { ...base, ready: false, started: false, state: { waiting: { reason: 'ContainerCreating' } } };
      case 'running':
        return { ...base, containerID: containerId(uid, name), ready: true, started: true, state: { running: { startedAt } } };
      case 'terminated': {
        const exitCode = ctx.exitCode ?? 0;
        return {
          ...base,
          containerID: containerId(uid, name),
          ready: false,
          started: false,
          state: {
            terminated: {
              exitCode,
              reason: ctx.reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
              startedAt,
              finishedAt: now,
              containerID: containerId(uid, name),
            },
          },
        };
      }
      default: {
        const never: never = view;
        return never;
      }
    }
  });
}

function initStatuses(pod: Pod, now: string): ContainerStatus[] | undefined {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return undefined;
  const uid = pod.metadata.uid ?? '';
  return inits.map((c) => {
    const name = c.name ?? '';
    const sidecar = c.restartPolicy === 'Always';
    return {
      name,
      image: c.image ?? '',
      imageID: '',
      containerID: containerId(uid, name),
      restartCount: 0,
      ready: sidecar,
      started: sidecar,
      state: sidecar
        ? { running: { startedAt: now } }
        : { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } },
    };
  });
}

/** The status to write for a target; `pod` is the current object (not modified). */
export function buildPodStatus(pod: Pod, to: StatusTarget, ctx: StatusContext): PodStatus {
  const now = rfc3339(ctx.nowMs);
  const old = pod.status ?? {};
  const st: PodStatus = { ...old };
  st.qosClass = old.qosClass ?? podQOSClass(pod.spec);
  st.hostIP = ctx.hostIP;
  st.hostIPs = [{ ip: ctx.hostIP }];
  st.startTime = old.startTime ?? now;
  const withIp = () => {
    const ip = ctx.podIP ?? old.podIP;
    if (ip) {
      st.podIP = ip;
      st.podIPs = [{ ip }];
    }
  };
  switch (to) {
    case 'creating':
      st.phase = 'Pending';
      st.conditions = conditions(pod, now, { sandbox: false, ready: false });
      st.containerStatuses = containerStatuses(pod, 'waiting', ctx, now);
      break;
    case 'running': {
      st.phase = 'Running';
      withIp();
      st.conditions = conditions(pod, now, { sandbox: true, ready: true });
      const inits = initStatuses(pod, now);
      if (inits) st.initContainerStatuses = inits;
      st.containerStatuses = containerStatuses(pod, 'running', ctx, now);
      break;
    }
    case 'succeeded':
    case 'failed':
    case 'terminating': {
      const failed = to === 'failed' || (ctx.exitCode ?? 0) !== 0;
      st.phase = failed ? 'Failed' : 'Succeeded';
      withIp();
      st.conditions = conditions(pod, now, { sandbox: false, ready: false, readyReason: 'PodCompleted' });
      st.containerStatuses = containerStatuses(pod, 'terminated', ctx, now);
      break;
    }
    case 'rejected':
      st.phase = 'Failed';
      st.reason = ctx.reason ?? 'PodOSNotSupported';
      st.message = ctx.message ?? `the pod's OS (spec.os.name=${pod.spec?.os?.name ?? ''}) is not the node's OS`;
      delete st.podIP;
      delete st.podIPs;
      break;
    default: {
      const never: never = to;
      void never;
    }
  }
  return st;
}
