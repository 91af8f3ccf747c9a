// Which kind the replica controller runs over. The ReplicaSet controller is written against
// ReplicaSets; a ReplicationController is the same thing with a label map as selector, so (as
// upstream's replication controller does) it is seen through this adapter: read as a ReplicaSet,
// owning its pods and writing its status under its own kind.

import type { ReplicaSet, ReplicaSetStatus } from '../../api/gen/types.js';
import type { KindDef } from '../../api/kind.js';
import type { KubeObject } from '../../api/object.js';

export interface ReplicaKind<T extends KubeObject = KubeObject> {
  /** the controller's name (`replicaset`, `replicationcontroller`) */
  name: string;
  kind: KindDef<T>;
  /** ownerReferences of the pods: apiVersion and kind */
  ownerApiVersion: string;
  ownerKind: string;
  /** the object as the ReplicaSet logic reads it (same metadata, selector as a LabelSelector) */
  asReplicaSet(obj: T): ReplicaSet;
  /** the status body written to the status subresource */
  statusOf(status: ReplicaSetStatus): Record<string, unknown>;
}

/** apps/v1 ReplicaSet, the default. */
export const REPLICA_SET_OWNER = { ownerApiVersion: 'apps/v1', ownerKind: 'ReplicaSet' } as const;
