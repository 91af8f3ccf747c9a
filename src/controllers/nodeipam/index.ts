// The node IPAM controller: a pod range (spec.podCIDR) for every Node from the cluster CIDR.

export { startNodeIpamController } from './nodeipam-controller.js';
