// The ReplicaSet controller: public face of this folder.

export { startReplicaSetController, REPLICASETS_PATH, PODS_PATH } from './replicaset-controller.js';
export { syncReplicaSet, claimPods, podFromTemplate, BURST_REPLICAS, type ReplicaSetApi, type ReplicaSetWorld } from './replicaset-sync.js';
export { calculateReplicaSetStatus } from './replicaset-status.js';
export { podsToDelete, compareForDeletion } from './pod-ranking.js';
