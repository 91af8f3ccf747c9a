// The resource quota controller: public face of this folder.
export { startResourceQuotaController } from './resourcequota-controller.js';
