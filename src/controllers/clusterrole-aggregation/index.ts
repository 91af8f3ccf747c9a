// The ClusterRole aggregation controller.

export { startClusterRoleAggregationController } from './clusterrole-aggregation-controller.js';
