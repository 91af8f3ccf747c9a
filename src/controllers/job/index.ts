// The Job controller: pods to completions, backoff limit, deadline, suspension.

export { startJobController } from './job-controller.js';
