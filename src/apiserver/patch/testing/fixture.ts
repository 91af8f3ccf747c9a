// Hand-written schema fixture for the patch engine tests: a slice of the apps/v1 Deployment,
// core/v1 Pod template and Node definitions with upstream's list/map metadata (merge keys,
// patch strategies, list types, map types). Used by the *.test.ts files only.

import type { Definition, DefinitionMap, FieldDef } from '../../../api/schema/types.js';
import type { DefinitionLookup } from '../shape.js';

const str: FieldDef = { type: { kind: 'prim', type: 'string' } };
const int: FieldDef = { type: { kind: 'prim', type: 'integer' } };
const bool: FieldDef = { type: { kind: 'prim', type: 'boolean' } };
const ref = (name: string, extra: Partial<FieldDef> = {}): FieldDef => ({ type: { kind: 'ref', ref: `io.k8s.${name}` }, ...extra });
const listOf = (name: string, extra: Partial<FieldDef> = {}): FieldDef => ({
  type: { kind: 'array', items: { kind: 'ref', ref: `io.k8s.${name}` } },
  ...extra,
});
const strList = (extra: Partial<FieldDef> = {}): FieldDef => ({
  type: { kind: 'array', items: { kind: 'prim', type: 'string' } },
  ...extra,
});
const strMap = (extra: Partial<FieldDef> = {}): FieldDef => ({ type: { kind: 'map', values: { kind: 'prim', type: 'string' } }, ...extra });
const obj = (fields: Record<string, FieldDef>, extra: Partial<Extract<Definition, { kind: 'object' }>> = {}): Definition => ({
  kind: 'object',
  fields,
  ...extra,
});
const META = 'apimachinery.pkg.apis.meta.v1.';
const CORE = 'api.core.v1.';
const APPS = 'api.apps.v1.';

const DEFS: DefinitionMap = {
  [`io.k8s.${APPS}Deployment`]: obj({
    apiVersion: str,
    kind: str,
    metadata: ref(`${META}ObjectMeta`),
    spec: ref(`${APPS}DeploymentSpec`),
    status: ref(`${APPS}DeploymentStatus`),
  }),
  [`io.k8s.${APPS}DeploymentSpec`]: obj({
    replicas: int,
    minReadySeconds: int,
    paused: bool,
    revisionHistoryLimit: int,
    progressDeadlineSeconds: int,
    selector: ref(`${META}LabelSelector`),
    template: ref(`${CORE}PodTemplateSpec`),
    strategy: ref(`${APPS}DeploymentStrategy`, { patchStrategy: 'retainKeys' }),
  }),
  [`io.k8s.${APPS}DeploymentStrategy`]: obj({ type: str, rollingUpdate: ref(`${APPS}RollingUpdateDeployment`) }),
  [`io.k8s.${APPS}RollingUpdateDeployment`]: obj({
    maxSurge: ref('apimachinery.pkg.util.intstr.IntOrString'),
    maxUnavailable: ref('apimachinery.pkg.util.intstr.IntOrString'),
  }),
  [`io.k8s.${APPS}DeploymentStatus`]: obj({
    replicas: int,
    observedGeneration: int,
    conditions: listOf(`${APPS}DeploymentCondition`, {
      patchStrategy: 'merge',
      patchMergeKey: 'type',
      listType: 'map',
      listMapKeys: ['type'],
    }),
  }),
  [`io.k8s.${APPS}DeploymentCondition`]: obj({ type: str, status: str, reason: str, message: str, lastUpdateTime: ref(`${META}Time`) }),
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { kind: 'scalar', type: { kind: 'prim', type: 'string', format: 'int-or-string' } },
  [`io.k8s.${META}Time`]: { kind: 'scalar', type: { kind: 'prim', type: 'string', format: 'date-time' } },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { kind: 'scalar', type: { kind: 'prim', type: 'string' } },
  [`io.k8s.${META}LabelSelector`]: obj(
    {
      matchLabels: strMap(),
      matchExpressions: listOf(`${META}LabelSelectorRequirement`, { listType: 'atomic' }),
    },
    { mapType: 'atomic' },
  ),
  [`io.k8s.${META}LabelSelectorRequirement`]: obj({ key: str, operator: str, values: strList({ listType: 'atomic' }) }),
  [`io.k8s.${META}ObjectMeta`]: obj({
    name: str,
    generateName: str,
    namespace: str,
    uid: str,
    resourceVersion: str,
    generation: int,
    selfLink: str,
    creationTimestamp: ref(`${META}Time`),
    deletionTimestamp: ref(`${META}Time`),
    labels: strMap(),
    annotations: strMap(),
    finalizers: strList({ patchStrategy: 'merge', listType: 'set' }),
    ownerReferences: listOf(`${META}OwnerReference`, {
      patchStrategy: 'merge',
      patchMergeKey: 'uid',
      listType: 'map',
      listMapKeys: ['uid'],
    }),
    managedFields: listOf(`${META}ManagedFieldsEntry`, { listType: 'atomic' }),
  }),
  [`io.k8s.${META}OwnerReference`]: obj({ apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool }),
  [`io.k8s.${META}ManagedFieldsEntry`]: obj({
    manager: str,
    operation: str,
    apiVersion: str,
    time: ref(`${META}Time`),
    fieldsType: str,
    fieldsV1: { type: { kind: 'any' } },
    subresource: str,
  }),
  [`io.k8s.${CORE}PodTemplateSpec`]: obj({ metadata: ref(`${META}ObjectMeta`), spec: ref(`${CORE}PodSpec`) }),
  [`io.k8s.${CORE}PodSpec`]: obj({
    containers: listOf(`${CORE}Container`, { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }),
    initContainers: listOf(`${CORE}Container`, { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }),
    volumes: listOf(`${CORE}Volume`, { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }),
    tolerations: listOf(`${CORE}Toleration`, { listType: 'atomic' }),
    imagePullSecrets: listOf(`${CORE}LocalObjectReference`, {
      patchStrategy: 'merge',
      patchMergeKey: 'name',
      listType: 'map',
      listMapKeys: ['name'],
    }),
    nodeSelector: strMap({ mapType: 'atomic' }),
    restartPolicy: str,
    nodeName: str,
    dnsPolicy: str,
    terminationGracePeriodSeconds: int,
  }),
  [`io.k8s.${CORE}Container`]: obj({
    name: str,
    image: str,
    imagePullPolicy: str,
    workingDir: str,
    args: strList({ listType: 'atomic' }),
    command: strList({ listType: 'atomic' }),
    env: listOf(`${CORE}EnvVar`, { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }),
    ports: listOf(`${CORE}ContainerPort`, {
      patchStrategy: 'merge',
      patchMergeKey: 'containerPort',
      listType: 'map',
      listMapKeys: ['containerPort', 'protocol'],
    }),
    volumeMounts: listOf(`${CORE}VolumeMount`, {
      patchStrategy: 'merge',
      patchMergeKey: 'mountPath',
      listType: 'map',
      listMapKeys: ['mountPath'],
    }),
    resources: ref(`${CORE}ResourceRequirements`),
  }),
  [`io.k8s.${CORE}ContainerPort`]: obj({ name: str, containerPort: int, hostPort: int, protocol: { ...str, default: 'TCP' } }),
  [`io.k8s.${CORE}EnvVar`]: obj({ name: str, value: str, valueFrom: { type: { kind: 'any' } } }),
  [`io.k8s.${CORE}VolumeMount`]: obj({ name: str, mountPath: str, readOnly: bool }),
  [`io.k8s.${CORE}ResourceRequirements`]: obj({
    limits: { type: { kind: 'map', values: { kind: 'ref', ref: 'io.k8s.apimachinery.pkg.api.resource.Quantity' } } },
    requests: { type: { kind: 'map', values: { kind: 'ref', ref: 'io.k8s.apimachinery.pkg.api.resource.Quantity' } } },
  }),
  [`io.k8s.${CORE}Volume`]: obj({
    name: str,
    configMap: ref(`${CORE}ConfigMapVolumeSource`),
    emptyDir: ref(`${CORE}EmptyDirVolumeSource`),
    hostPath: ref(`${CORE}HostPathVolumeSource`),
  }),
  [`io.k8s.${CORE}ConfigMapVolumeSource`]: obj({
    name: str,
    defaultMode: int,
    items: { type: { kind: 'array', items: { kind: 'any' } }, listType: 'atomic' },
  }),
  [`io.k8s.${CORE}EmptyDirVolumeSource`]: obj({ medium: str, sizeLimit: ref('apimachinery.pkg.api.resource.Quantity') }),
  [`io.k8s.${CORE}HostPathVolumeSource`]: obj({ path: str, type: str }),
  [`io.k8s.${CORE}LocalObjectReference`]: obj({ name: str }),
  [`io.k8s.${CORE}Toleration`]: obj({ key: str, operator: str, value: str, effect: str, tolerationSeconds: int }),
  [`io.k8s.${CORE}Node`]: obj({ apiVersion: str, kind: str, metadata: ref(`${META}ObjectMeta`), spec: ref(`${CORE}NodeSpec`) }),
  [`io.k8s.${CORE}NodeSpec`]: obj({
    unschedulable: bool,
    podCIDR: str,
    podCIDRs: strList({ patchStrategy: 'merge', listType: 'set' }),
    taints: { type: { kind: 'array', items: { kind: 'any' } }, listType: 'atomic' },
  }),
};

export const lookup: DefinitionLookup = (name) => DEFS[name];
export const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';
export const NODE = 'io.k8s.api.core.v1.Node';
