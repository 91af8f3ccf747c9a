// `kubectl get pods` columns and the READY / STATUS / RESTARTS logic of upstream's pod printer.

import type { TableDef } from '../../../kind.js';
import { age, ageColumn, col, nameColumn, since } from '../../common/table.js';
import type { ContainerStatus, Pod } from '../../../gen/types.js';
import type { Unvalidated, UnvalidatedObject } from '../../../unvalidated.js';

const latest = (a: string | undefined, b: string | null | undefined): string | undefined =>
  !a ? (b ?? undefined) : !b ? a : Date.parse(b) > Date.parse(a) ? b : a;

interface Summary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestart: string | undefined;
}

function terminatedText(prefix: string, t: { signal?: number; exitCode?: number }): string {
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode ?? 0}`;
}

/** READY, STATUS and RESTARTS of a pod, computed the way kubectl users know them. */
function summarizePod(pod: UnvalidatedObject<Pod>): Summary {
  const spec = pod.spec ?? {},
    status = pod.status ?? {};
  let total = (spec.containers ?? []).length,
    ready = 0,
    restarts = 0;
  let lastRestart: string | undefined;
  let reason = status.reason || status.phase || '';
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const sidecars = new Set((spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let sidecarRestarts = 0;
  let lastSidecarRestart: string | undefined;
  let initializing = false;
  const initStatuses: Array<Unvalidated<ContainerStatus>> = status.initContainerStatuses ?? [];
  const initTotal = (spec.initContainers ?? []).length;
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    if (!c) continue;
    restarts += c.restartCount ?? 0;
    if (c.lastState?.terminated) lastRestart = latest(lastRestart, c.lastState.terminated.finishedAt);
    const sidecar = sidecars.has(c.name);
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      if (c.lastState?.terminated) lastSidecarRestart = latest(lastSidecarRestart, c.lastState.terminated.finishedAt);
    }
    const term = c.state?.terminated,
      wait = c.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (sidecar && c.started) {
      total++;
      if (c.ready) ready++;
      continue;
    }
    if (term) reason = term.reason ? `Init:${term.reason}` : terminatedText('Init:', term);
    else if (wait?.reason && wait.reason !== 'PodInitializing') reason = `Init:${wait.reason}`;
    else reason = `Init:${i}/${initTotal}`;
    initializing = true;
    break;
  }
  const initialized = (status.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const cs = status.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i];
      if (!c) continue;
      restarts += c.restartCount ?? 0;
      if (c.lastState?.terminated) lastRestart = latest(lastRestart, c.lastState.terminated.finishedAt);
      const term = c.state?.terminated,
        wait = c.state?.waiting;
      if (wait?.reason) reason = wait.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = terminatedText('', term);
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp) {
    if (status.reason === 'NodeLost') reason = 'Unknown';
    else if (status.phase !== 'Failed' && status.phase !== 'Succeeded') reason = 'Terminating';
  }
  return { ready, total, reason, restarts, lastRestart };
}

export const podTable: TableDef<UnvalidatedObject<Pod>> = {
  columns: [
    nameColumn,
    col('Ready', 'string', 'Ready containers out of all containers of the pod.'),
    col('Status', 'string', 'Aggregate state of the pod and its containers.'),
    col('Restarts', 'string', 'Container restarts, and how long ago the last one happened.'),
    ageColumn,
    col('IP', 'string', 'First IP address of the pod.', 1),
    col('Node', 'string', 'Node the pod is bound to.', 1),
    col('Nominated Node', 'string', 'Node nominated by preemption.', 1),
    col('Readiness Gates', 'string', 'Readiness gates that are true out of all readiness gates.', 1),
  ],
  row(pod, now) {
    const s = summarizePod(pod);
    const restarts = s.restarts !== 0 && s.lastRestart ? `${s.restarts} (${since(s.lastRestart, now)} ago)` : String(s.restarts);
    const gates = pod.spec?.readinessGates ?? [];
    let gatesText = '<none>';
    if (gates.length > 0) {
      const conds = pod.status?.conditions ?? [];
      const trueCount = gates.filter((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True')).length;
      gatesText = `${trueCount}/${gates.length}`;
    }
    return [
      pod.metadata.name ?? '',
      `${s.ready}/${s.total}`,
      s.reason,
      restarts,
      age(pod, now),
      pod.status?.podIPs?.[0]?.ip || '<none>',
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      gatesText,
    ];
  },
};
