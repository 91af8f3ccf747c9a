// The Deployment controller: public face of this folder.

export { startDeploymentController, DEPLOYMENTS_PATH } from './deployment-controller.js';
export { syncDeployment } from './deployment-sync.js';
export type { DeploymentApi, DeploymentWorld } from './deployment-world.js';
export { templateHash, resolveFenceposts, maxSurge, maxUnavailable } from './deployment-util.js';
