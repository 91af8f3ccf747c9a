// The Deployment controller: public face of this folder.

export { startDeploymentController } from './deployment-controller.js';
