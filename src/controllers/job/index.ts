// The Job controller: pods to completions, backoff limit, deadline, suspension.

export { startJobController } from './job-controller.js';
export { decideJob, type JobDecision, type JobView } from './job-decide.js';
