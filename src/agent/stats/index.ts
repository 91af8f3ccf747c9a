export { createStatsProvider, type StatsProvider, type Summary } from './summary.js';
// createAgentMetrics (prom-client) is imported from './metrics.js' where needed, lazily.
export type { AgentMetrics } from './metrics.js';
