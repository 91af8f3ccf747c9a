// The DaemonSet controller: one daemon pod per eligible node.

export { startDaemonSetController, type DaemonSetControllerOptions } from './daemonset-controller.js';
export { planDaemonSet, templateHash } from './daemonset-decide.js';
export { daemonEligibility, nodeMatchesPodSpec } from './node-eligibility.js';
