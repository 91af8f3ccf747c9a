// The ReplicaSet controller: public face of this folder.

export { startReplicaSetController } from './replicaset-controller.js';
export { syncReplicaSet, BURST_REPLICAS } from './replicaset-sync.js';
export type { ReplicaSetApi, ReplicaSetSyncDeps } from './replicaset-sync-deps.js';
export { claimPods, podFromTemplate } from './replicaset-decide.js';
export { calculateReplicaSetStatus } from './replicaset-status.js';
export { podsToDelete, compareForDeletion } from './pod-ranking.js';
