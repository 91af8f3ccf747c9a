// The checks the API server makes before streaming from a pod's node, with upstream's messages:
// which container, whether it has started, whether the pod can still be exec'd or forwarded to.

import type { AnyObject } from '../../api/object.js';
import { badRequest } from '../../base/errors.js';

type Rec = Record<string, unknown>;

const names = (list: unknown) => ((list as Rec[] | undefined) ?? []).map((c) => String(c['name'] ?? ''));

export type StreamKind = 'log' | 'exec' | 'attach' | 'portforward';

const podPhase = (pod: AnyObject): string => String(((pod['status'] ?? {}) as Rec)['phase'] ?? 'Pending');

/** The container a log/exec/attach request is for (the only one when none is named). */
export function chooseContainer(pod: AnyObject, requested: string | null): string {
  const spec = (pod['spec'] ?? {}) as Rec;
  const podName = pod.metadata.name ?? '';
  const main = names(spec['containers']);
  const all = [...main, ...names(spec['initContainers']), ...names(spec['ephemeralContainers'])];
  if (!requested) {
    if (main.length === 1) return main[0]!;
    throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${main.join(' ')}]`);
  }
  if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
  return requested;
}

function containerStatus(pod: AnyObject, container: string): Rec | undefined {
  const st = (pod['status'] ?? {}) as Rec;
  const all = [
    ...((st['containerStatuses'] as Rec[] | undefined) ?? []),
    ...((st['initContainerStatuses'] as Rec[] | undefined) ?? []),
    ...((st['ephemeralContainerStatuses'] as Rec[] | undefined) ?? []),
  ];
  return all.find((c) => c['name'] === container);
}

/** Refuses what upstream refuses; returns nothing when the stream may go ahead. */
export function checkStreamable(pod: AnyObject, kind: StreamKind, container: string | undefined, previous: boolean): void {
  const podName = pod.metadata.name ?? '';
  const phase = podPhase(pod);
  if (kind === 'portforward') {
    if (phase !== 'Running') throw badRequest(`unable to forward port because pod is not running. Current status=${phase}`);
    return;
  }
  if (kind === 'exec' && (phase === 'Succeeded' || phase === 'Failed'))
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  if (kind === 'attach' && (phase === 'Succeeded' || phase === 'Failed'))
    throw badRequest(`cannot attach a container in a completed pod; current phase is ${phase}`);
  if (container === undefined) return;
  const cs = containerStatus(pod, container);
  const state = (cs?.['state'] ?? {}) as Rec;
  const waiting = state['waiting'] as Rec | undefined;
  const hasPrevious = !!((cs?.['lastState'] ?? {}) as Rec)['terminated'];
  if (kind === 'log') {
    if (previous) return; // the node answers whether a previous instance exists
    if (waiting && !hasPrevious && !state['running'] && !state['terminated']) {
      throw badRequest(
        `container "${container}" in pod "${podName}" is waiting to start: ${String(waiting['reason'] ?? 'ContainerCreating')}`,
      );
    }
    if (!cs && phase === 'Pending') throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`);
    return;
  }
  if (phase !== 'Running' || (cs && !state['running'])) {
    const reason = waiting ? String(waiting['reason'] ?? 'ContainerCreating') : phase === 'Pending' ? 'ContainerCreating' : 'not running';
    throw badRequest(`container "${container}" in pod "${podName}" is not running: ${reason}`);
  }
}
