// How the Job controller sees its pods: active, terminating, finished (Succeeded, or Failed — which
// includes a pod deleted before it succeeded), the tracking finalizer, completion indexes, and the
// pods it creates.

import type { Job, Pod } from '../../api/gen/types.js';
import { ANNOTATION_JOB_COMPLETION_INDEX, FINALIZER_JOB_TRACKING, LABEL_JOB_COMPLETION_INDEX } from '../../api/well-known.js';
import { newControllerRef } from '../shared/owner-refs.js';
import { templatePodSpec } from '../shared/pod-template.js';

export type Finished = 'Succeeded' | 'Failed' | undefined;

export function finishedAs(p: Pod): Finished {
  const phase = p.status?.phase;
  if (phase === 'Succeeded') return 'Succeeded';
  if (phase === 'Failed') return 'Failed';
  if (p.metadata.deletionTimestamp && p.metadata.finalizers?.includes(FINALIZER_JOB_TRACKING)) return 'Failed';
  return undefined;
}

export const hasTrackingFinalizer = (p: Pod) => p.metadata.finalizers?.includes(FINALIZER_JOB_TRACKING) === true;

/** The completion index of an Indexed Job's pod, if it has a valid one. */
export function completionIndex(p: Pod): number | undefined {
  const v = p.metadata.annotations?.[ANNOTATION_JOB_COMPLETION_INDEX] ?? p.metadata.labels?.[LABEL_JOB_COMPLETION_INDEX];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** A set of indexes as upstream writes completedIndexes: "0-3,5,7-8". */
export function formatIndexes(set: ReadonlySet<number>): string {
  const xs = [...set].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < xs.length;) {
    let j = i;
    while (j + 1 < xs.length && (xs[j + 1] ?? 0) === (xs[j] ?? 0) + 1) j++;
    parts.push(i === j ? String(xs[i]) : `${xs[i] ?? 0}-${xs[j] ?? 0}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function parseIndexes(s: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]),
      b = m[2] !== undefined ? Number(m[2]) : a;
    for (let i = a; i <= b && i - a < 1_000_000; i++) out.add(i);
  }
  return out;
}

/** The pod the Job creates (index given for Indexed Jobs). */
export function jobPod(job: Job, index: number | undefined): Pod {
  const t = job.spec?.template;
  const name = job.metadata.name ?? 'job';
  const labels: Record<string, string> = { ...(t?.metadata?.labels ?? {}) };
  const annotations: Record<string, string> = { ...(t?.metadata?.annotations ?? {}) };
  const spec = templatePodSpec(t);
  if (index !== undefined) {
    labels[LABEL_JOB_COMPLETION_INDEX] = String(index);
    annotations[ANNOTATION_JOB_COMPLETION_INDEX] = String(index);
    spec.hostname ??= `${name}-${index}`;
  }
  const meta: Pod['metadata'] = {
    generateName: index !== undefined ? `${name}-${index}-` : `${name}-`,
    namespace: job.metadata.namespace,
    labels,
    finalizers: [FINALIZER_JOB_TRACKING],
    ownerReferences: [newControllerRef(job, 'batch/v1', 'Job')],
  };
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec };
}
