// Facts about Deployments and their ReplicaSets that every part of the controller uses: the
// annotations, revisions, the template hash, the surge/unavailable arithmetic and replica counts.

import type { Deployment, PodTemplateSpec, ReplicaSet, ReplicaSetSpec } from '../../api/gen/types.js';
import {
  ANNOTATION_DEPLOYMENT_DESIRED_REPLICAS,
  ANNOTATION_DEPLOYMENT_MAX_REPLICAS,
  ANNOTATION_DEPLOYMENT_REVISION,
  ANNOTATION_DEPLOYMENT_REVISION_HISTORY,
  ANNOTATION_LAST_APPLIED,
  LABEL_POD_TEMPLATE_HASH,
} from '../../api/well-known.js';
import { getScaledValueFromIntOrPercent } from '../../base/int-or-string.js';
import { objectRef } from '../../base/log.js';
import { computeHash, jsonEqual } from '../shared/template-hash.js';

/** Annotations of a Deployment that are not copied onto its ReplicaSets. */
const NOT_COPIED = new Set([
  ANNOTATION_LAST_APPLIED,
  ANNOTATION_DEPLOYMENT_REVISION,
  ANNOTATION_DEPLOYMENT_REVISION_HISTORY,
  ANNOTATION_DEPLOYMENT_DESIRED_REPLICAS,
  ANNOTATION_DEPLOYMENT_MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);
/** Longest revision-history annotation kept (upstream's default). */
const REVISION_HISTORY_MAX_CHARS = 2000;
const MAX_INT32 = 2147483647;

export const replicasOf = (d: Deployment): number => d.spec?.replicas ?? 1;
/** The spec of a ReplicaSet read from the API (validation requires one: its selector). */
export function specOf(rs: ReplicaSet): ReplicaSetSpec {
  if (!rs.spec) throw new Error(`replica set ${objectRef(rs)} has no spec`);
  return rs.spec;
}
export const specReplicas = (rs: ReplicaSet | undefined): number => rs?.spec?.replicas ?? 0;
export const isRollingUpdate = (d: Deployment): boolean => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
export const hasProgressDeadline = (d: Deployment): boolean => {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== MAX_INT32;
};

/** A template without the pod-template-hash label (what equality and hashing look at). */
export function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const c = structuredClone(t ?? {});
  if (c.metadata?.labels && LABEL_POD_TEMPLATE_HASH in c.metadata.labels) {
    delete c.metadata.labels[LABEL_POD_TEMPLATE_HASH];
    if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
  }
  return c;
}

/** Same template, ignoring the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return jsonEqual(withoutHash(a), withoutHash(b));
}

/** The pod-template-hash of a template (stable; changes with the template or the collision count). */
export function templateHash(t: PodTemplateSpec | undefined, collisionCount?: number): string {
  return computeHash(withoutHash(t), collisionCount);
}

/** The revision annotation as a number (0 when absent or malformed). */
export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number {
  const v = obj.metadata.annotations?.[ANNOTATION_DEPLOYMENT_REVISION];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** maxSurge rounded up, maxUnavailable rounded down; both 0 becomes unavailable 1. */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = getScaledValueFromIntOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = getScaledValueFromIntOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', replicasOf(d)).surge;
}

export function maxUnavailable(d: Deployment): number {
  const n = replicasOf(d);
  if (!isRollingUpdate(d) || n === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return Math.min(n, resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', n).unavailable);
}

const sum = (rss: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number) => rss.reduce((a, rs) => a + (rs ? f(rs) : 0), 0);
/** Sum of spec.replicas. */
export const specTotal = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (r) => r.spec?.replicas ?? 0);
/** Sum of status.replicas. */
export const actualTotal = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (r) => r.status?.replicas ?? 0);
export const readyTotal = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (r) => r.status?.readyReplicas ?? 0);
export const availableTotal = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (r) => r.status?.availableReplicas ?? 0);

export const activeOnly = (rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] =>
  rss.filter((r): r is ReplicaSet => !!r && specReplicas(r) > 0);

export const created = (rs: ReplicaSet): number => {
  const t = rs.metadata.creationTimestamp ? Date.parse(rs.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? 0 : t;
};
/** Oldest first (ties by name). */
export const byCreation = (a: ReplicaSet, b: ReplicaSet): number =>
  created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
/** Lowest revision first (ties by creation). */
export const byRevision = (a: ReplicaSet, b: ReplicaSet): number => revisionOf(a) - revisionOf(b) || byCreation(a, b);

/** An integer annotation, or undefined. */
export function intAnnotation(rs: ReplicaSet, name: string): number | undefined {
  const v = rs.metadata.annotations?.[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** The newest ReplicaSet whose template is the Deployment's (the oldest of several equal ones). */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** The new ReplicaSet is at full size and fully available for the Deployment's replica count. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const n = replicasOf(d);
  return (
    specReplicas(rs) === n && intAnnotation(rs, ANNOTATION_DEPLOYMENT_DESIRED_REPLICAS) === n && (rs.status?.availableReplicas ?? 0) === n
  );
}

/** How big the new ReplicaSet may be now (RollingUpdate: within maxSurge; Recreate: full size). */
export function newRSNewReplicas(d: Deployment, all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  const n = replicasOf(d);
  if (!isRollingUpdate(d)) return n;
  const current = specTotal(all);
  const maxTotal = n + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  return specReplicas(newRS) + Math.min(maxTotal - current, n - specReplicas(newRS));
}

/** Sets desired/max replicas annotations; answers whether anything changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  const changed = a[ANNOTATION_DEPLOYMENT_DESIRED_REPLICAS] !== String(desired) || a[ANNOTATION_DEPLOYMENT_MAX_REPLICAS] !== String(max);
  a[ANNOTATION_DEPLOYMENT_DESIRED_REPLICAS] = String(desired);
  a[ANNOTATION_DEPLOYMENT_MAX_REPLICAS] = String(max);
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[ANNOTATION_DEPLOYMENT_DESIRED_REPLICAS] !== String(desired) || a[ANNOTATION_DEPLOYMENT_MAX_REPLICAS] !== String(max);
}

/**
 * Brings a ReplicaSet's annotations up to date for being the Deployment's new ReplicaSet: copied
 * Deployment annotations, the revision (raised to `newRevision`, the old value appended to the
 * revision history), and for a ReplicaSet being created the replicas annotations.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const oldText = a[ANNOTATION_DEPLOYMENT_REVISION];
  const old = revisionOf(rs);
  if (oldText === undefined || old < newRevision) {
    a[ANNOTATION_DEPLOYMENT_REVISION] = String(newRevision);
    changed = true;
    if (oldText !== undefined && oldText !== '') {
      let hist = a[ANNOTATION_DEPLOYMENT_REVISION_HISTORY] ? `${a[ANNOTATION_DEPLOYMENT_REVISION_HISTORY]},${oldText}` : oldText;
      while (hist.length > REVISION_HISTORY_MAX_CHARS && hist.includes(',')) hist = hist.slice(hist.indexOf(',') + 1);
      a[ANNOTATION_DEPLOYMENT_REVISION_HISTORY] = hist;
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** The ReplicaSet a Deployment creates for its current template. */
export function newReplicaSetFor(d: Deployment, hash: string): ReplicaSet & { spec: ReplicaSetSpec } {
  const template = withoutHash(d.spec?.template);
  const labels = { ...(template.metadata?.labels ?? {}), [LABEL_POD_TEMPLATE_HASH]: hash };
  template.metadata = { ...(template.metadata ?? {}), labels };
  const sel = structuredClone(d.spec?.selector ?? {});
  sel.matchLabels = { ...(sel.matchLabels ?? {}), [LABEL_POD_TEMPLATE_HASH]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name ?? ''}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...labels },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: d.metadata.name ?? '',
          uid: d.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector: sel, template },
  };
}
