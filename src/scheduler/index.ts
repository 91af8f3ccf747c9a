// Public surface of the scheduler.

export { startScheduler } from './scheduler.js';
export type * from './framework/interfaces.js';
