export { createStatsProvider } from './summary.js';
// createAgentMetrics (prom-client) is imported from './metrics.js' where needed, lazily.
