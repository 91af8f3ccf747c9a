// What the PV binder reads and writes, as one small interface: the caches (claims, volumes,
// classes, nodes, pods) and the API writes. The controller passes informers and the REST client;
// tests pass maps, so the binder's syncs run without a server.

import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../../api/gen/types.js';
import { persistentVolumeKind } from '../../api/kinds/core/persistent-volume.js';
import { persistentVolumeClaimKind } from '../../api/kinds/core/persistent-volume-claim.js';
import type { RestClient } from '../../client/rest-client.js';

export interface PvWorld {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  /** a fresh read, before deciding that a volume's claim is gone */
  liveClaim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  volume(name: string): PersistentVolume | undefined;
  volumes(): PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
  node(name: string): Node | undefined;
  podsIn(namespace: string): Pod[];
  /** merge patches of the main resource and of status */
  patchClaim(namespace: string, name: string, patch: unknown): Promise<PersistentVolumeClaim>;
  patchClaimStatus(namespace: string, name: string, patch: unknown): Promise<PersistentVolumeClaim>;
  patchVolume(name: string, patch: unknown): Promise<PersistentVolume>;
  patchVolumeStatus(name: string, patch: unknown): Promise<PersistentVolume>;
  event(obj: PersistentVolume | PersistentVolumeClaim, type: 'Normal' | 'Warning', reason: string, message: string): void;
  now(): number;
}

/** The API half of a PvWorld over a REST client. */
export function apiWrites(
  client: RestClient,
): Pick<PvWorld, 'liveClaim' | 'patchClaim' | 'patchClaimStatus' | 'patchVolume' | 'patchVolumeStatus'> {
  const claims = (ns: string) => client.resource(persistentVolumeClaimKind).namespace(ns);
  const volumes = client.resource(persistentVolumeKind);
  return {
    liveClaim: (ns, name) => claims(ns).getOrUndefined(name),
    patchClaim: (ns, name, p) => claims(ns).patch(name, p, 'merge'),
    patchClaimStatus: (ns, name, p) => claims(ns).patchStatus(name, p, 'merge'),
    patchVolume: (name, p) => volumes.patch(name, p, 'merge'),
    patchVolumeStatus: (name, p) => volumes.patchStatus(name, p, 'merge'),
  };
}
