// The ReplicaSet controller: public face of this folder.

export { startReplicaSetController } from './replicaset-controller.js';
