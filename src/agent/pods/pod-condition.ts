// How a pod condition carries its times, for the agent's pod workers and the sim alike: no probe
// time (null, as the kubelet writes it), and a transition time that stays while the status stays.

import type { PodCondition } from '../../api/gen/types.js';

export function stampPodCondition(c: PodCondition, previous: readonly PodCondition[] | undefined, now: string): PodCondition {
  const prev = previous?.find((o) => o.type === c.type);
  const lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
  return { ...c, lastProbeTime: null, lastTransitionTime };
}
