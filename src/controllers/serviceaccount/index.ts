// The service account controller: a `default` ServiceAccount in every namespace.

export { startServiceAccountController } from './serviceaccount-controller.js';
