// The pod garbage collector: orphaned pods, terminated pods beyond a threshold, terminating pods no
// kubelet will finish.

export { startPodGcController } from './podgc-controller.js';
export { podGcOptionsFromEnv } from './podgc-options.js';
