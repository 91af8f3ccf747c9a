export { createStatsProvider, type StatsProvider, type Summary } from './summary.js';
export { createAgentMetrics, type AgentMetrics } from './metrics.js';
