// The simulated pod lifecycle as data, in the manner of kwok's stages: each stage names the pod
// states it applies to (a selector), how long to wait once it applies (a delay) and what happens next
// (a status write or the final DELETE). The engine picks the first stage whose selector matches.

import type { Pod } from '../../api/gen/types.js';

/** The state of a pod as the simulation sees it, derived from its status. */
export type SimPodState = 'pending' | 'creating' | 'running' | 'succeeded' | 'failed';

/** Status shapes the engine knows how to write. */
export type StatusTarget = 'creating' | 'running' | 'succeeded' | 'failed' | 'terminating' | 'rejected';

type StageNext = { action: 'status'; to: StatusTarget; exitCode?: number; reason?: string } | { action: 'delete' };

/** All given fields must match (an empty selector matches every pod). */
export interface StageSelector {
  state?: SimPodState[];
  /** metadata.deletionTimestamp is set (true) or not (false) */
  deleting?: boolean;
  /** every container status is terminated */
  containersTerminated?: boolean;
  /** spec.restartPolicy (Always when unset) */
  restartPolicy?: string[];
  /** some ownerReference has one of these kinds */
  ownerKind?: string[];
  /** annotation key -> exact value, or null for "present with any value" */
  annotations?: Record<string, string | null>;
  /** spec.os.name names an OS other than the node's */
  osMismatch?: boolean;
}

interface StageDelay {
  ms: number;
  /** uniform random extra time in [0, jitterMs) */
  jitterMs?: number;
  /** an annotation holding seconds (e.g. "0.2") that replaces `ms` when it parses */
  fromAnnotation?: string;
}

export interface Stage {
  name: string;
  /** matches when any selector matches */
  anyOf: StageSelector[];
  delay: StageDelay;
  next: StageNext;
}

/** What the selectors look at, computed once per evaluation. */
export interface PodFacts {
  state: SimPodState;
  deleting: boolean;
  containersTerminated: boolean;
  restartPolicy: string;
  ownerKinds: string[];
  annotations: Record<string, string>;
  osMismatch: boolean;
}

const ANNOTATION_RUN_SECONDS = 'tandem.io/sim-run-seconds';
const ANNOTATION_FAIL = 'tandem.io/sim-fail';

export function podState(pod: Pod): SimPodState {
  const st = pod.status ?? {};
  switch (st.phase) {
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
      return 'failed';
    case 'Running':
      return 'running';
    default:
      return (st.containerStatuses ?? []).length > 0 ? 'creating' : 'pending';
  }
}

export function podFacts(pod: Pod, nodeOs: string): PodFacts {
  const cs = pod.status?.containerStatuses ?? [];
  const os = pod.spec?.os?.name;
  return {
    state: podState(pod),
    deleting: pod.metadata.deletionTimestamp !== undefined,
    containersTerminated: cs.length > 0 && cs.every((c) => c.state?.terminated !== undefined),
    restartPolicy: pod.spec?.restartPolicy ?? 'Always',
    ownerKinds: (pod.metadata.ownerReferences ?? []).map((o) => o.kind),
    annotations: pod.metadata.annotations ?? {},
    osMismatch: os !== undefined && os !== '' && os !== nodeOs,
  };
}

export function stageMatches(sel: StageSelector, f: PodFacts): boolean {
  if (sel.state && !sel.state.includes(f.state)) return false;
  if (sel.deleting !== undefined && sel.deleting !== f.deleting) return false;
  if (sel.containersTerminated !== undefined && sel.containersTerminated !== f.containersTerminated) return false;
  if (sel.restartPolicy && !sel.restartPolicy.includes(f.restartPolicy)) return false;
  if (sel.ownerKind && !f.ownerKinds.some((k) => sel.ownerKind?.includes(k))) return false;
  if (sel.osMismatch !== undefined && sel.osMismatch !== f.osMismatch) return false;
  for (const [k, v] of Object.entries(sel.annotations ?? {})) {
    const have = f.annotations[k];
    if (have === undefined || (v !== null && have !== v)) return false;
  }
  return true;
}

/** The first stage of the table that applies, or undefined (the pod stays as it is). */
export function matchStage(table: readonly Stage[], f: PodFacts): Stage | undefined {
  return table.find((s) => s.anyOf.some((sel) => stageMatches(sel, f)));
}

/** The stage's delay for this pod in milliseconds. */
export function stageDelayMs(stage: Stage, annotations: Record<string, string>, random: () => number = Math.random): number {
  let ms = stage.delay.ms;
  const from = stage.delay.fromAnnotation;
  if (from !== undefined) {
    const raw = annotations[from];
    const secs = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
    if (Number.isFinite(secs) && secs >= 0) ms = secs * 1000;
  }
  const j = stage.delay.jitterMs ?? 0;
  return Math.max(0, Math.round(ms + (j > 0 ? random() * j : 0)));
}

export interface StageTimings {
  /** time spent in ContainerCreating; 0 skips that status and goes straight to Running (default 0) */
  createDelayMs?: number;
  /** extra delay before Running (default 0) */
  startDelayMs?: number;
  /** run time of Job pods and pods annotated with a run time when the annotation is absent (default 1000) */
  completeAfterMs?: number;
  /** how long a deleted pod lingers before the sim removes it (default 0) */
  deleteDelayMs?: number;
  /** uniform random extra on the create/start/complete delays (default 0) */
  jitterMs?: number;
  /** write terminated container statuses before the final DELETE (default true) */
  markTerminatedOnDelete?: boolean;
}

const NON_ALWAYS = ['Never', 'OnFailure'];

/** The default table, built from timings. */
export function defaultStages(t: StageTimings = {}): Stage[] {
  const jitterMs = t.jitterMs ?? 0;
  const deleteMs = t.deleteDelayMs ?? 0;
  const markTerminated = t.markTerminatedOnDelete ?? true;
  const createMs = t.createDelayMs ?? 0;
  const table: Stage[] = [];
  if (markTerminated) {
    table.push({
      name: 'pod-terminate',
      anyOf: [{ deleting: true, state: ['running'], containersTerminated: false }],
      delay: { ms: deleteMs },
      next: { action: 'status', to: 'terminating' },
    });
  }
  table.push(
    { name: 'pod-delete', anyOf: [{ deleting: true }], delay: { ms: markTerminated ? 0 : deleteMs }, next: { action: 'delete' } },
    {
      name: 'pod-reject-os',
      anyOf: [{ state: ['pending', 'creating'], osMismatch: true }],
      delay: { ms: 0 },
      next: { action: 'status', to: 'rejected', reason: 'PodOSNotSupported' },
    },
  );
  if (createMs > 0) {
    table.push(
      { name: 'pod-create', anyOf: [{ state: ['pending'] }], delay: { ms: 0 }, next: { action: 'status', to: 'creating' } },
      {
        name: 'pod-start',
        anyOf: [{ state: ['creating'] }],
        delay: { ms: createMs + (t.startDelayMs ?? 0), jitterMs },
        next: { action: 'status', to: 'running' },
      },
    );
  } else {
    table.push({
      name: 'pod-start',
      anyOf: [{ state: ['pending', 'creating'] }],
      delay: { ms: t.startDelayMs ?? 0, jitterMs },
      next: { action: 'status', to: 'running' },
    });
  }
  table.push(
    {
      name: 'pod-fail',
      anyOf: [{ state: ['running'], annotations: { [ANNOTATION_FAIL]: 'true' } }],
      delay: { ms: t.completeAfterMs ?? 1000, jitterMs, fromAnnotation: ANNOTATION_RUN_SECONDS },
      next: { action: 'status', to: 'failed', exitCode: 1, reason: 'Error' },
    },
    {
      name: 'pod-complete',
      anyOf: [
        { state: ['running'], restartPolicy: NON_ALWAYS, ownerKind: ['Job'] },
        { state: ['running'], restartPolicy: NON_ALWAYS, annotations: { [ANNOTATION_RUN_SECONDS]: null } },
      ],
      delay: { ms: t.completeAfterMs ?? 1000, jitterMs, fromAnnotation: ANNOTATION_RUN_SECONDS },
      next: { action: 'status', to: 'succeeded', exitCode: 0, reason: 'Completed' },
    },
  );
  return table;
}
