// The public face of src/controllers: one start function per controller, each taking ControllerDeps
// (plus its own options) and returning a RunningController; src/cli starts them through this file only.
//
// How a controller folder is laid out: <name>-controller.ts makes the informers, registers handlers
// that only enqueue keys, and hands its sync function to shared/run-controller.ts (the one skeleton:
// wait for the caches, N workers, retries with backoff, drain on stop). Pure decisions live in
// <name>-decide.ts. A <name>-sync.ts exists only where one reconcile needs round trips against the
// API (create, then read back; a live GET before adopting), and so runs against an injected world
// (<name>-sync-deps.ts) that tests replace with in-memory fakes. Test support lives in testing/ folders
// and is never imported by production code.

export { startGarbageCollector } from './gc/index.js';
export { startNamespaceController } from './namespace/index.js';
export { startReplicaSetController } from './replicaset/index.js';
export { startDeploymentController } from './deployment/index.js';
export { startDaemonSetController } from './daemonset/index.js';
export { startJobController } from './job/index.js';
export { startEndpointsController } from './endpoints/index.js';
export { startServiceAccountController } from './serviceaccount/index.js';
export { startNodeLifecycleController } from './node-lifecycle/index.js';
export { startNodeIpamController } from './nodeipam/index.js';
export { startPodGcController, podGcOptionsFromEnv } from './podgc/index.js';
export { startClusterRoleAggregationController } from './clusterrole-aggregation/index.js';
export { startRootCaPublisher } from './root-ca-publisher/index.js';
export { startCsrApprovingController, type AccessCheck } from './csr-approving/index.js';
export { startCsrSigningController } from './csr-signing/index.js';
export { startCsrCleanerController } from './csr-cleaner/index.js';
export { startBootstrapTokenCleaner } from './bootstrap-token-cleaner/index.js';
export { startPersistentVolumeController } from './persistentvolume/index.js';
export { startLocalPathProvisioner } from './local-path/index.js';
export { startEphemeralVolumeController } from './ephemeral-volume/index.js';
export { startReplicationController } from './replication/index.js';
export { startResourceQuotaController } from './resourcequota/index.js';
export { startStatefulSetController } from './statefulset/index.js';
export { startCronJobController } from './cronjob/index.js';
export { startHpaController, hpaOptionsFromEnv } from './hpa/index.js';
export { startDisruptionController } from './disruption/index.js';
