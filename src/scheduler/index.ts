// Public surface of the scheduler.

export { startScheduler, type Scheduler, type SchedulerDeps, type SchedulerStats } from './scheduler.js';
export { createDefaultRegistry, defaultProfile, DEFAULT_SCHEDULER_NAME } from './default-profile.js';
export { createAlgorithm, type Algorithm, type ScheduleOutcome } from './algorithm.js';
export { createSchedulerCache, type SchedulerCache } from './cache.js';
export { createSchedulingQueue, type SchedulingQueue, type QueuedPod } from './queue.js';
export { createFramework, type Framework, type Profile } from './framework/framework.js';
export { createRegistry, type Registry } from './framework/registry.js';
export { numFeasibleNodesToFind } from './framework/percentage.js';
export { fitErrorMessage } from './framework/fit-error.js';
export type * from './framework/interfaces.js';
export type { Status, Code, Result } from './framework/status.js';
