// Builds a pod's status from what the runtime reports plus the worker's waiting reasons and the
// probe results: container statuses (state, lastState, restartCount, ready, started), the phase by
// upstream's rules, and the pod conditions.

import type {
  Container,
  ContainerState,
  ContainerStateTerminated,
  ContainerStatus,
  Pod,
  PodCondition,
  PodStatus,
} from '../../api/gen/types.js';
import { rfc3339 } from '../../base/time.js';
import type { ContainerStatus as RtContainer } from '../runtime/runtime.js';
import { containersNamed, readySandbox, type PodRuntimeView } from './labels.js';
import { stampPodCondition } from './pod-condition.js';

export interface Waiting {
  reason: string;
  message?: string;
}

export interface StatusInput {
  pod: Pod;
  view: PodRuntimeView;
  /** `containerd` gives IDs `containerd://<id>` */
  runtimeName: string;
  /** the worker's waiting reasons by container name (ErrImagePull, CrashLoopBackOff, ...) */
  waiting: ReadonlyMap<string, Waiting>;
  probe: (containerId: string, c: Container) => { ready: boolean; started: boolean };
  hostIPs: string[];
  now: number;
  /** the pod is being torn down: no container will run again */
  terminal?: boolean;
  /** the status this agent last wrote (newer than the informer's copy) */
  previous?: PodStatus;
}

const time = (ns: number) => rfc3339(Math.floor(ns / 1e6));

function terminatedState(c: RtContainer, runtimeName: string): ContainerStateTerminated {
  const t: ContainerStateTerminated = { exitCode: c.exitCode, reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error') };
  if (c.message) t.message = c.message;
  if (c.startedAt) t.startedAt = time(c.startedAt);
  if (c.finishedAt) t.finishedAt = time(c.finishedAt);
  t.containerID = `${runtimeName}://${c.id}`;
  return t;
}

function containerStatus(
  spec: Container,
  view: PodRuntimeView,
  input: StatusInput,
  init: boolean,
  defaultWaiting = 'ContainerCreating',
): ContainerStatus {
  const [latest, previous] = containersNamed(view, spec.name);
  const override = input.waiting.get(spec.name);
  const rn = input.runtimeName;
  const st: ContainerStatus = {
    name: spec.name,
    state: {},
    lastState: {},
    ready: false,
    restartCount: latest?.attempt ?? 0,
    image: spec.image ?? '',
    imageID: latest?.imageRef ?? '',
    started: false,
  };
  if (latest) st.containerID = `${rn}://${latest.id}`;
  const prevState = (): ContainerState => (previous && previous.state === 'exited' ? { terminated: terminatedState(previous, rn) } : {});
  if (!latest) {
    st.state = { waiting: override ?? { reason: defaultWaiting } };
    delete st.containerID;
    return st;
  }
  switch (latest.state) {
    case 'running': {
      st.state = { running: { startedAt: time(latest.startedAt) } };
      st.lastState = prevState();
      const p = input.probe(latest.id, spec);
      st.started = p.started;
      st.ready = p.started && p.ready;
      break;
    }
    case 'exited':
      if (override) {
        st.state = { waiting: override };
        st.lastState = { terminated: terminatedState(latest, rn) };
      } else {
        st.state = { terminated: terminatedState(latest, rn) };
        st.lastState = prevState();
        if (init && latest.exitCode === 0) st.ready = true;
      }
      break;
    default:
      st.state = { waiting: override ?? { reason: 'ContainerCreating' } };
      st.lastState = prevState();
  }
  return st;
}

/** Upstream's phase rules over built container statuses. */
export function podPhase(
  restartPolicy: string,
  init: ContainerStatus[],
  main: ContainerStatus[],
  terminal = false,
  sidecars: readonly boolean[] = [],
): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  if (terminal) restartPolicy = 'Never';
  for (const [i, s] of init.entries()) {
    if (s.state?.terminated?.exitCode === 0) continue;
    if (sidecars[i] && s.state?.running && s.started) continue;
    const failed =
      (s.state?.terminated && s.state.terminated.exitCode !== 0) ||
      (s.state?.waiting && s.lastState?.terminated && s.lastState.terminated.exitCode !== 0);
    if (failed && restartPolicy === 'Never') return 'Failed';
    return 'Pending';
  }
  let running = 0,
    waiting = 0,
    stopped = 0,
    succeeded = 0;
  for (const s of main) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return restartPolicy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status: ok ? 'True' : 'False' };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

function podConditions(pod: Pod, view: PodRuntimeView, phase: string, init: ContainerStatus[], main: ContainerStatus[]): PodCondition[] {
  const sb = readySandbox(view);
  const out: PodCondition[] = [];
  out.push(
    condition('PodReadyToStartContainers', !!sb && (!!sb.ip || !!pod.spec?.hostNetwork) && phase !== 'Succeeded' && phase !== 'Failed'),
  );
  const incomplete = init.filter((s) => s.state?.terminated?.exitCode !== 0).map((s) => s.name);
  out.push(
    phase === 'Succeeded' && incomplete.length === 0
      ? condition('Initialized', true)
      : condition(
          'Initialized',
          incomplete.length === 0,
          'ContainersNotInitialized',
          `containers with incomplete status: [${incomplete.join(' ')}]`,
        ),
  );
  const unready = main.filter((s) => !s.ready).map((s) => s.name);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const cr = terminal
    ? condition('ContainersReady', false, 'PodCompleted')
    : condition('ContainersReady', unready.length === 0, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);
  out.push(cr);
  const gates = (pod.spec?.readinessGates ?? []).map((g) => g.conditionType);
  const missingGates = gates.filter((g) => !(pod.status?.conditions ?? []).some((c) => c.type === g && c.status === 'True'));
  if (cr.status === 'True' && missingGates.length > 0) {
    out.push(
      condition(
        'Ready',
        false,
        'ReadinessGatesNotReady',
        `corresponding condition of pod readiness gate "${missingGates[0] ?? ''}" does not exist.`,
      ),
    );
  } else {
    out.push({ ...cr, type: 'Ready' });
  }
  for (const c of pod.status?.conditions ?? []) if (!out.some((o) => o.type === c.type)) out.push(c);
  return out;
}

/** Keeps lastTransitionTime of conditions whose status did not change. */
function stampConditions(next: PodCondition[], old: PodCondition[] | undefined, now: number): PodCondition[] {
  return next.map((c) => (c.lastTransitionTime ? c : stampPodCondition(c, old, rfc3339(now))));
}

export function buildPodStatus(input: StatusInput): PodStatus {
  const { pod, view } = input;
  const inits = pod.spec?.initContainers ?? [];
  const init = inits.map((c) => containerStatus(c, view, input, true, 'PodInitializing'));
  const initPending = init.some(
    (s, i) => s.state?.terminated?.exitCode !== 0 && !(inits[i]?.restartPolicy === 'Always' && s.state?.running),
  );
  const main = (pod.spec?.containers ?? []).map((c) =>
    containerStatus(c, view, input, false, initPending ? 'PodInitializing' : 'ContainerCreating'),
  );
  const phase = podPhase(
    pod.spec?.restartPolicy ?? 'Always',
    init,
    main,
    input.terminal,
    inits.map((c) => c.restartPolicy === 'Always'),
  );
  const sb = readySandbox(view) ?? view.sandboxes[0];
  const status: PodStatus = {
    phase,
    conditions: stampConditions(
      podConditions(pod, view, phase, init, main),
      input.previous?.conditions ?? pod.status?.conditions,
      input.now,
    ),
    containerStatuses: main,
  };
  if (init.length) status.initContainerStatuses = init;
  const hostIP = input.hostIPs[0];
  if (hostIP) {
    status.hostIP = hostIP;
    status.hostIPs = input.hostIPs.map((ip) => ({ ip }));
  }
  const podIPs = pod.spec?.hostNetwork
    ? input.hostIPs
    : sb?.ip
      ? [sb.ip, ...sb.additionalIps]
      : (pod.status?.podIPs ?? []).map((p) => p.ip);
  if (podIPs[0]) {
    status.podIP = podIPs[0];
    status.podIPs = podIPs.map((ip) => ({ ip }));
  }
  status.startTime = input.previous?.startTime ?? pod.status?.startTime ?? rfc3339(input.now);
  if (pod.status?.qosClass) status.qosClass = pod.status.qosClass;
  return status;
}
