// Upstream's defaults for a PodSpec (shared by Pods and every pod template).

import type {
  Container as ContainerT,
  HTTPGetAction,
  PodSpec as PodSpecT,
  Probe as ProbeT,
  Volume as VolumeT,
} from '../../../gen/types.js';
import type { Unvalidated } from '../../../unvalidated.js';

type Container = Unvalidated<ContainerT>;
type PodSpec = Unvalidated<PodSpecT>;
type Probe = Unvalidated<ProbeT>;
type Volume = Unvalidated<VolumeT>;
/** a probe's or a lifecycle hook's handler: only httpGet has defaults */
type Handler = { httpGet?: Unvalidated<HTTPGetAction> };

/** `Always` for `:latest` or an untagged image, else `IfNotPresent` (digests count as pinned). */
export function defaultPullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  const tag = colon < 0 ? '' : lastSegment.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: Handler | undefined): void {
  if (!h?.httpGet) return;
  h.httpGet.path ??= '/';
  h.httpGet.scheme ??= 'HTTP';
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  defaultHandler(p);
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
}

function defaultContainer(c: Container, hostNetwork: boolean): void {
  if (c.image !== undefined) c.imagePullPolicy ??= defaultPullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  // A limit without a request means the request equals the limit.
  const { limits, requests } = c.resources;
  if (limits && Object.keys(limits).length > 0) {
    const req = requests ?? {};
    for (const [k, v] of Object.entries(limits)) if (req[k] === undefined) req[k] = v;
    c.resources.requests = req;
  }
  for (const p of c.ports ?? []) {
    p.protocol ??= 'TCP';
    if (hostNetwork && p.hostPort === undefined && p.containerPort !== undefined) p.hostPort = p.containerPort;
  }
  for (const e of c.env ?? []) if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

function defaultVolume(v: Volume): void {
  if (!Object.keys(v).some((k) => VOLUME_SOURCES.includes(k))) v.emptyDir = {};
  if (v.configMap) v.configMap.defaultMode ??= 420;
  if (v.secret) v.secret.defaultMode ??= 420;
  if (v.projected) v.projected.defaultMode ??= 420;
  if (v.downwardAPI) v.downwardAPI.defaultMode ??= 420;
  if (v.hostPath) v.hostPath.type ??= '';
}

/** Fills a PodSpec in place, as upstream's defaulting does for pods and templates alike. */
export function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
  const hostNetwork = spec.hostNetwork === true;
  for (const c of spec.containers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.initContainers ?? []) defaultContainer(c, hostNetwork);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}
