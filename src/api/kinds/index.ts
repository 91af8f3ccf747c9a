// The kind registry: every served kind, and lookups by resource and by GVK.

import type { KindDef } from '../kind.js';
import {
  localSubjectAccessReviewKind,
  selfSubjectAccessReviewKind,
  selfSubjectRulesReviewKind,
  subjectAccessReviewKind,
} from './authorization/reviews.js';
import { daemonSetKind } from './apps/daemonset.js';
import { deploymentKind } from './apps/deployment.js';
import { replicaSetKind } from './apps/replicaset.js';
import { jobKind } from './batch/job.js';
import { csrKind } from './certificates/csr.js';
import { leaseKind } from './coordination/lease.js';
import { configMapKind } from './core/configmap.js';
import { endpointsKind } from './core/endpoints.js';
import { coreEventKind } from './core/event.js';
import { namespaceKind } from './core/namespace.js';
import { nodeKind } from './core/node.js';
import { podKind } from './core/pod/pod.js';
import { secretKind } from './core/secret.js';
import { serviceAccountKind } from './core/service-account.js';
import { serviceKind } from './core/service.js';
import { endpointSliceKind } from './discovery/endpoint-slice.js';
import { eventsV1EventKind } from './events/event.js';
import { runtimeClassKind } from './node/runtime-class.js';
import { clusterRoleBindingKind, roleBindingKind } from './rbac/binding.js';
import { clusterRoleKind, roleKind } from './rbac/role.js';
import { selfSubjectReviewKind, tokenReviewKind } from './authentication/reviews.js';
import { persistentVolumeKind } from './core/persistent-volume.js';
import { persistentVolumeClaimKind } from './core/persistent-volume-claim.js';
import { storageClassKind } from './storage/storage-class.js';
import { podTemplateKind } from './core/pod-template.js';
import { replicationControllerKind } from './core/replication-controller.js';
import { resourceQuotaKind } from './core/resource-quota.js';
import { limitRangeKind } from './core/limit-range.js';
import { statefulSetKind } from './apps/statefulset.js';
import { controllerRevisionKind } from './apps/controller-revision.js';
import { cronJobKind } from './batch/cronjob.js';
import { hpaKind } from './autoscaling/hpa.js';
import { hpaV1Kind } from './autoscaling/hpa-v1.js';
import { pdbKind } from './policy/pdb.js';
import { priorityClassKind } from './scheduling/priorityclass.js';
import { crdKind } from './apiextensions/crd.js';
import { ingressKind } from './networking/ingress.js';
import { ingressClassKind } from './networking/ingress-class.js';
import { networkPolicyKind } from './networking/network-policy.js';
import { apiServiceKind } from './apiregistration/apiservice.js';

export const allKinds: readonly KindDef[] = [
  namespaceKind,
  podKind,
  serviceKind,
  endpointsKind,
  nodeKind,
  configMapKind,
  secretKind,
  coreEventKind,
  serviceAccountKind,
  deploymentKind,
  replicaSetKind,
  daemonSetKind,
  jobKind,
  leaseKind,
  runtimeClassKind,
  endpointSliceKind,
  eventsV1EventKind,
  clusterRoleKind,
  clusterRoleBindingKind,
  roleKind,
  roleBindingKind,
  // authorization.k8s.io: create-only questions, never stored
  localSubjectAccessReviewKind,
  selfSubjectAccessReviewKind,
  selfSubjectRulesReviewKind,
  subjectAccessReviewKind,
  tokenReviewKind,
  selfSubjectReviewKind,
  csrKind,
  persistentVolumeKind,
  persistentVolumeClaimKind,
  storageClassKind,
  podTemplateKind,
  replicationControllerKind,
  resourceQuotaKind,
  limitRangeKind,
  statefulSetKind,
  controllerRevisionKind,
  cronJobKind,
  hpaKind,
  // served at autoscaling/v1 too (kubectl 1.32's `kubectl autoscale`), stored as v2
  hpaV1Kind,
  pdbKind,
  priorityClassKind,
  crdKind,
  ingressKind,
  ingressClassKind,
  networkPolicyKind,
  apiServiceKind,
];

const gvKey = (group: string, version: string) => (group ? `${group}/${version}` : version);
const byResource = new Map(allKinds.map((k) => [`${gvKey(k.group, k.version)}/${k.plural}`, k]));
const byGVK = new Map(allKinds.map((k) => [`${gvKey(k.group, k.version)}/${k.kind}`, k]));

/** The kind served at /api(s)/<group>/<version>/<plural>; group '' is core. */
export function kindByResource(group: string, version: string, plural: string): KindDef | undefined {
  return byResource.get(`${gvKey(group, version)}/${plural}`);
}

export function kindByGVK(group: string, version: string, kind: string): KindDef | undefined {
  return byGVK.get(`${gvKey(group, version)}/${kind}`);
}

/** Kinds grouped by group-version (`v1`, `apps/v1`, ...), in registry order. */
export function kindsByGroupVersion(): ReadonlyMap<string, readonly KindDef[]> {
  const out = new Map<string, KindDef[]>();
  for (const k of allKinds) {
    const key = gvKey(k.group, k.version);
    const list = out.get(key) ?? [];
    list.push(k);
    out.set(key, list);
  }
  return out;
}
