// A StatefulSet pod's stable identity: its name `<set>-<ordinal>`, hostname and subdomain (the
// headless Service answers `<pod>.<service>.<ns>.svc` for it), the identity labels, and one
// PersistentVolumeClaim per claim template named `<template>-<set>-<ordinal>` mounted under the
// template's name. Pure functions from the set (and the revision the pod is made from).

import type { PersistentVolumeClaim, Pod, PodTemplateSpec, StatefulSet, Volume } from '../../api/gen/types.js';
import { LABEL_CONTROLLER_REVISION_HASH } from '../../api/well-known.js';
import { newControllerRef } from '../shared/owner-refs.js';
import { templatePodSpec } from '../shared/pod-template.js';

const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const ORDINAL_RE = /^(.*)-([0-9]+)$/;

/** The pod's ordinal when its name is `<set>-<n>`, else -1 (such a pod is not a member). */
export function ordinalOf(set: StatefulSet, pod: Pod): number {
  const m = ORDINAL_RE.exec(pod.metadata.name ?? '');
  if (!m || m[1] !== set.metadata.name) return -1;
  const n = Number.parseInt(m[2] ?? '', 10);
  return Number.isSafeInteger(n) ? n : -1;
}

const podName = (set: StatefulSet, ordinal: number): string => `${set.metadata.name ?? ''}-${ordinal}`;
export const startOrdinal = (set: StatefulSet): number => set.spec?.ordinals?.start ?? 0;
const claimName = (template: string, set: StatefulSet, ordinal: number): string => `${template}-${podName(set, ordinal)}`;

/** The claims of the pod with `ordinal`: the templates with their per-pod names and the selector's labels. */
export function podClaims(set: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  const selectorLabels = set.spec?.selector?.matchLabels ?? {};
  const deleteWithSet = set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    const meta: PersistentVolumeClaim['metadata'] = {
      name: claimName(t.metadata.name ?? '', set, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...(t.metadata.labels ?? {}), ...selectorLabels },
    };
    if (t.metadata.annotations) meta.annotations = { ...t.metadata.annotations };
    // whenDeleted: Delete makes the set an owner, so the garbage collector removes the claim with it
    if (deleteWithSet) meta.ownerReferences = [{ ...newControllerRef(set, 'apps/v1', 'StatefulSet'), controller: false }];
    const claim: PersistentVolumeClaim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta };
    if (t.spec) claim.spec = structuredClone(t.spec);
    return claim;
  });
}

/** The labels that name a member pod: its name and its ordinal. */
export function identityLabels(set: StatefulSet, pod: Pod): Record<string, string> {
  return { [POD_NAME_LABEL]: pod.metadata.name ?? '', [POD_INDEX_LABEL]: String(ordinalOf(set, pod)) };
}

/** The pod carries its identity labels. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const want = identityLabels(set, pod);
  return Object.entries(want).every(([k, v]) => pod.metadata.labels?.[k] === v);
}

/** The pod with `ordinal` made from `template` (the template of revision `revisionName`). */
export function newStatefulPod(set: StatefulSet, template: PodTemplateSpec | undefined, revisionName: string, ordinal: number): Pod {
  const name = podName(set, ordinal);
  const labels: Record<string, string> = {
    ...(template?.metadata?.labels ?? {}),
    [POD_NAME_LABEL]: name,
    [POD_INDEX_LABEL]: String(ordinal),
    [LABEL_CONTROLLER_REVISION_HASH]: revisionName,
  };
  const spec = templatePodSpec(template);
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  const claimVolumes: Volume[] = (set.spec?.volumeClaimTemplates ?? []).map((t) => ({
    name: t.metadata.name ?? '',
    persistentVolumeClaim: { claimName: claimName(t.metadata.name ?? '', set, ordinal) },
  }));
  if (claimVolumes.length) {
    const own = new Set(claimVolumes.map((v) => v.name));
    spec.volumes = [...claimVolumes, ...(spec.volumes ?? []).filter((v) => !own.has(v.name))];
  }
  const meta: Pod['metadata'] = {
    name,
    namespace: set.metadata.namespace,
    labels,
    ownerReferences: [newControllerRef(set, 'apps/v1', 'StatefulSet')],
  };
  if (template?.metadata?.annotations) meta.annotations = { ...template.metadata.annotations };
  if (template?.metadata?.finalizers) meta.finalizers = [...template.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec };
}
