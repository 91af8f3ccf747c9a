// The ReplicaSet controller: public face of this folder (startReplicaController also runs ReplicationControllers).
export { startReplicaSetController, startReplicaController } from './replicaset-controller.js';
export type { ReplicaKind } from './replica-kind.js';
