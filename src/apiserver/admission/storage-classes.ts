// Three of upstream's storage admission plugins: DefaultStorageClass (a claim created with no class
// gets the cluster's default class, the newest one when several are marked default),
// StorageObjectInUseProtection (new claims and volumes get the kubernetes.io/pvc-protection and
// pv-protection finalizers) and PersistentVolumeClaimResize (a bound claim may grow only when its
// class allows expansion).
// Classes are read straight from the store, as the other built-in admission plugins read theirs.

import type { PersistentVolumeClaim, StorageClass } from '../../api/gen/types.js';
import { claimClass, isDefaultClass } from '../../api/storage/claims.js';
import { ANN_BETA_STORAGE_CLASS, FINALIZER_PV_PROTECTION, FINALIZER_PVC_PROTECTION } from '../../api/storage/well-known.js';
import { quantityOrNaN } from '../../api/validation/index.js';
import { StatusError } from '../../base/errors.js';
import type { Backend } from '../../storage/backend.js';
import { decodeStored } from '../registry/codec.js';
import type { AdmissionPlugin, AdmissionRequest } from './plugin.js';

const CLASSES = '/registry/storage.k8s.io/storageclasses/';

export interface StorageClassSource {
  list(): Promise<StorageClass[]>;
}

export function createStoreClassSource(backend: Backend): StorageClassSource {
  return {
    async list() {
      const { kvs } = await backend.list(CLASSES);
      return kvs.map((kv) => decodeStored<StorageClass>(kv.value, kv.modRevision));
    },
  };
}

/** The default class: of those annotated default, the newest (then the first by name), as upstream picks it. */
export function pickDefaultClass(classes: readonly StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0,
      tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    return tb - ta || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  });
  return defaults[0];
}

const refused = (r: AdmissionRequest, why: string) =>
  new StatusError(403, 'Forbidden', `persistentvolumeclaims "${r.name || (r.object?.metadata.name ?? '')}" is forbidden: ${why}`, {
    name: r.name,
    kind: 'persistentvolumeclaims',
  });

/** Adds `finalizer` to a new object; true when it was missing. */
function protect(r: AdmissionRequest, finalizer: string): boolean {
  const meta = r.object?.metadata;
  if (!meta || (meta.finalizers ?? []).includes(finalizer)) return false;
  meta.finalizers = [...(meta.finalizers ?? []), finalizer];
  return true;
}

const isVolume = (r: AdmissionRequest) => r.kind.group === '' && r.kind.plural === 'persistentvolumes' && r.subresource === undefined;
const isClaim = (r: AdmissionRequest) => r.kind.group === '' && r.kind.plural === 'persistentvolumeclaims' && r.subresource === undefined;

export function createStorageClassAdmission(source: StorageClassSource): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    async mutate(r) {
      if (r.operation !== 'CREATE' || !r.object) return false;
      if (isVolume(r)) return protect(r, FINALIZER_PV_PROTECTION);
      if (!isClaim(r)) return false;
      const protectedNow = protect(r, FINALIZER_PVC_PROTECTION);
      const pvc = r.object as PersistentVolumeClaim;
      // an explicit class, even "" (no class: static volumes only), is the user's choice
      if (pvc.spec?.storageClassName !== undefined || pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] !== undefined) return protectedNow;
      const def = pickDefaultClass(await source.list());
      if (!def?.metadata.name) return protectedNow;
      pvc.spec = { ...pvc.spec, storageClassName: def.metadata.name };
      return true;
    },
    async validate(r) {
      if (!isClaim(r) || r.operation !== 'UPDATE' || !r.object || !r.oldObject) return;
      const next = r.object as PersistentVolumeClaim,
        old = r.oldObject as PersistentVolumeClaim;
      const now = next.spec?.resources?.requests?.['storage'],
        before = old.spec?.resources?.requests?.['storage'];
      if (now === undefined || before === undefined || !(quantityOrNaN(now) > quantityOrNaN(before))) return;
      const name = claimClass(old);
      const sc = name ? (await source.list()).find((c) => c.metadata.name === name) : undefined;
      if (!sc?.allowVolumeExpansion)
        throw refused(
          r,
          'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
        );
    },
  };
}
