// The API objects a pod names, as upstream's VisitPodSecretNames / VisitPodConfigmapNames see them:
// what binding the pod to a node lets that node read (the Node authorizer), and what a node may not
// put into a mirror pod (NodeRestriction).

import type { Container, EnvFromSource, EnvVar, Pod, Volume } from '../../../api/gen/types.js';

export interface PodRefs {
  secrets: Set<string>;
  configMaps: Set<string>;
  /** claims of persistentVolumeClaim volumes, and the `<pod>-<volume>` claims of generic ephemeral volumes */
  pvcs: Set<string>;
  serviceAccount: string | undefined;
  /** a projected clusterTrustBundle source is present (mirror pods may not have one) */
  clusterTrustBundles: boolean;
}

type AnyContainer = Pick<Container, 'env' | 'envFrom'>;

function visitEnv(c: AnyContainer, refs: PodRefs): void {
  for (const e of (c.envFrom ?? []) as EnvFromSource[]) {
    if (e.secretRef?.name) refs.secrets.add(e.secretRef.name);
    if (e.configMapRef?.name) refs.configMaps.add(e.configMapRef.name);
  }
  for (const e of (c.env ?? []) as EnvVar[]) {
    const s = e.valueFrom?.secretKeyRef?.name;
    if (s) refs.secrets.add(s);
    const m = e.valueFrom?.configMapKeyRef?.name;
    if (m) refs.configMaps.add(m);
  }
}

/** Volume plugins that name a Secret for the node to read (mount credentials). */
function volumeSecret(v: Volume): string | undefined {
  return (
    v.secret?.secretName ??
    v.azureFile?.secretName ??
    v.cephfs?.secretRef?.name ??
    v.cinder?.secretRef?.name ??
    v.flexVolume?.secretRef?.name ??
    v.rbd?.secretRef?.name ??
    v.scaleIO?.secretRef?.name ??
    v.iscsi?.secretRef?.name ??
    v.storageos?.secretRef?.name ??
    v.csi?.nodePublishSecretRef?.name
  );
}

/** Every Secret, ConfigMap, PVC and the ServiceAccount a pod refers to. */
export function podRefs(pod: Pod): PodRefs {
  const refs: PodRefs = {
    secrets: new Set(),
    configMaps: new Set(),
    pvcs: new Set(),
    serviceAccount: pod.spec?.serviceAccountName || undefined,
    clusterTrustBundles: false,
  };
  const spec = pod.spec;
  if (!spec) return refs;
  for (const s of spec.imagePullSecrets ?? []) if (s.name) refs.secrets.add(s.name);
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])]) visitEnv(c, refs);
  for (const v of spec.volumes ?? []) {
    const s = volumeSecret(v);
    if (s) refs.secrets.add(s);
    if (v.configMap?.name) refs.configMaps.add(v.configMap.name);
    for (const p of v.projected?.sources ?? []) {
      if (p.secret?.name) refs.secrets.add(p.secret.name);
      if (p.configMap?.name) refs.configMaps.add(p.configMap.name);
      if (p.clusterTrustBundle) refs.clusterTrustBundles = true;
    }
    if (v.persistentVolumeClaim?.claimName) refs.pvcs.add(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) refs.pvcs.add(`${pod.metadata.name ?? ''}-${v.name}`);
  }
  return refs;
}
