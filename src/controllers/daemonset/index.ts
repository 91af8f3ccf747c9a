// The DaemonSet controller: one daemon pod per eligible node.

export { startDaemonSetController } from './daemonset-controller.js';
