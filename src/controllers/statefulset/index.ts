// The StatefulSet controller: public face of this folder.

export { startStatefulSetController } from './statefulset-controller.js';
