// The conditions of the agent's own Node: the three pressures and Ready, with the kubelet's reasons
// and messages (Ready follows the runtime's RuntimeReady and NetworkReady), and their times: a
// heartbeat on every write, a transition time kept while a condition's status stays.

import type { NodeCondition } from '../../api/gen/types.js';
import { rfc3339 } from '../../base/time.js';
import type { PressureInfo } from '../platform/common/platform.js';
import type { RuntimeCondition } from '../runtime/runtime.js';

function readyCondition(rc: readonly RuntimeCondition[]): NodeCondition {
  const rt = rc.find((c) => c.type === 'RuntimeReady');
  const net = rc.find((c) => c.type === 'NetworkReady');
  const problems: string[] = [];
  if (!rt?.status) problems.push(`container runtime not ready: RuntimeReady=false reason:${rt?.reason ?? ''} message:${rt?.message ?? ''}`);
  if (!net?.status)
    problems.push(
      `container runtime network not ready: NetworkReady=false reason:${net?.reason ?? ''} message:Network plugin returns error: ${net?.message ?? ''}`,
    );
  if (problems.length) return { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: problems.join(', ') };
  return { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' };
}

/** The conditions without times (for change detection); `stampNodeConditions` adds them. */
export function nodeConditions(rc: readonly RuntimeCondition[], p: PressureInfo): NodeCondition[] {
  return [
    p.memory
      ? {
          type: 'MemoryPressure',
          status: 'True',
          reason: 'KubeletHasInsufficientMemory',
          message: 'kubelet has insufficient memory available',
        }
      : {
          type: 'MemoryPressure',
          status: 'False',
          reason: 'KubeletHasSufficientMemory',
          message: 'kubelet has sufficient memory available',
        },
    p.disk
      ? { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }
      : { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    p.pid
      ? { type: 'PIDPressure', status: 'True', reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' }
      : { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    readyCondition(rc),
  ];
}

/** Adds heartbeat times; a condition keeps its transition time while its status stays. */
export function stampNodeConditions(
  conditions: readonly NodeCondition[],
  previous: readonly NodeCondition[] | undefined,
  now: number,
): NodeCondition[] {
  const t = rfc3339(now);
  return conditions.map((c) => {
    const old = previous?.find((o) => o.type === c.type);
    return {
      ...c,
      lastHeartbeatTime: t,
      lastTransitionTime: old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : t,
    };
  });
}
