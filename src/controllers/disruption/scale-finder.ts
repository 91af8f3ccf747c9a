// How the disruption controller finds the replicas a pod's controller wants, as upstream's finders
// do: a ReplicaSet (or the Deployment that controls it) and a Deployment from the caches; any other
// owner (StatefulSet, ReplicationController, a custom resource) through its `scale` subresource,
// when its kind serves one. The owner found must be the one the pod names (same uid).

import type { Deployment, OwnerReference, ReplicaSet } from '../../api/gen/types.js';
import type { KindDef } from '../../api/kind.js';
import type { ControllerScale, ScaleFinder } from './disruption-decide.js';

export interface ScaleSources {
  replicaSet(key: string): ReplicaSet | undefined;
  deployment(key: string): Deployment | undefined;
  kind(group: string, version: string, kind: string): KindDef | undefined;
  /** GET of the owner's scale subresource; undefined when it is not there (404). */
  scale(kind: KindDef, namespace: string, name: string): Promise<{ metadata?: { uid?: string }; spec?: { replicas?: number } } | undefined>;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');
const versionOf = (apiVersion: string) => apiVersion.slice(apiVersion.indexOf('/') + 1);
const isApps = (group: string) => group === 'apps' || group === 'extensions';

export function createScaleFinder(src: ScaleSources): ScaleFinder {
  const fromDeployment = (ref: { name: string; uid: string }, ns: string): ControllerScale | undefined => {
    const d = src.deployment(`${ns}/${ref.name}`);
    return d && d.metadata.uid === ref.uid ? { uid: ref.uid, scale: d.spec?.replicas ?? 1 } : undefined;
  };
  return async (ref: OwnerReference, ns: string) => {
    const group = groupOf(ref.apiVersion);
    if (ref.kind === 'ReplicaSet' && isApps(group)) {
      const rs = src.replicaSet(`${ns}/${ref.name}`);
      if (!rs || rs.metadata.uid !== ref.uid) return undefined;
      const owner = (rs.metadata.ownerReferences ?? []).find((r) => r.controller === true);
      if (owner && owner.kind === 'Deployment' && isApps(groupOf(owner.apiVersion))) return fromDeployment(owner, ns);
      return { uid: ref.uid, scale: rs.spec?.replicas ?? 1 };
    }
    if (ref.kind === 'Deployment' && isApps(group)) return fromDeployment(ref, ns);
    const kind = src.kind(group, versionOf(ref.apiVersion), ref.kind);
    if (!kind || !kind.subresources.some((s) => s.name === 'scale')) return undefined;
    const s = await src.scale(kind, ns, ref.name);
    return s && s.metadata?.uid === ref.uid ? { uid: ref.uid, scale: s.spec?.replicas ?? 0 } : undefined;
  };
}
