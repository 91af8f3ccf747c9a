// The Deployment controller: public face of this folder.

export { startDeploymentController } from './deployment-controller.js';
export { syncDeployment } from './deployment-sync.js';
export type { DeploymentApi, DeploymentSyncDeps } from './deployment-sync-deps.js';
export { templateHash, resolveFenceposts, maxSurge, maxUnavailable } from './deployment-util.js';
