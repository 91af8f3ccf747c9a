// The public face of the pod network across nodes (src/network/podnet): the CLI runs
// startPodNetwork beside the agent on Linux nodes whose pods live on the CNI bridge. Routes to other
// nodes' pod ranges go straight to their node IP on a shared subnet, else through a VXLAN device;
// pod traffic leaving the cluster range is masqueraded by a table of its own.

export { startPodNetwork, type PodNetwork, type PodNetworkOptions, type PodNetworkStats } from './runner.js';
export { DEFAULT_VXLAN, type PodNetPlan, type VxlanSettings } from './plan.js';
