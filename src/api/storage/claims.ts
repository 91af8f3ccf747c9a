// Reading claims, volumes and classes the way every storage component must agree on: a claim's
// class (spec, else the beta annotation), the short access-mode names kubectl prints, and whether
// a class is the cluster default.

import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../gen/types.js';
import type { Unvalidated } from '../unvalidated.js';
import { ANN_BETA_DEFAULT_CLASS, ANN_BETA_STORAGE_CLASS, ANN_DEFAULT_CLASS } from './well-known.js';

type Meta = { metadata: { annotations?: Record<string, string> | undefined } };

/** The class a claim asks for: spec.storageClassName, else the beta annotation, else '' (no class). */
export function claimClass(pvc: Meta & { spec?: Unvalidated<PersistentVolumeClaim['spec']> }): string {
  return pvc.spec?.storageClassName ?? pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? '';
}

/** The class of a volume: spec.storageClassName, else the beta annotation, else ''. */
export function volumeClass(pv: Meta & { spec?: Unvalidated<PersistentVolume['spec']> }): string {
  return pv.spec?.storageClassName ?? pv.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? '';
}

const SHORT: Readonly<Record<string, string>> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

/** `RWO,ROX` as kubectl prints access modes (upstream's order, duplicates once). */
export function accessModesText(modes: readonly string[] | undefined): string {
  const set = new Set(modes ?? []);
  return Object.keys(SHORT)
    .filter((m) => set.has(m))
    .map((m) => SHORT[m])
    .join(',');
}

/** True when the class carries the default-class annotation (either spelling) set to "true". */
export function isDefaultClass(sc: Meta | Unvalidated<StorageClass>): boolean {
  const a = sc.metadata?.annotations;
  return a?.[ANN_DEFAULT_CLASS] === 'true' || a?.[ANN_BETA_DEFAULT_CLASS] === 'true';
}

/** A pod's claim names: its persistentVolumeClaim volumes and the `<pod>-<volume>` claims of ephemeral ones. */
export function podClaimNames(pod: {
  metadata: { name?: string };
  spec?: { volumes?: ReadonlyArray<{ name: string; persistentVolumeClaim?: { claimName: string }; ephemeral?: unknown }> };
}): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata.name ?? ''}-${v.name}`);
  }
  return out;
}
