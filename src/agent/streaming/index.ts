export { startStreamingServer, type StreamingServer, type StreamingServerOptions, type PodLookup, type StreamPod } from './streaming-server.js';
export { createRuntimePodLookup, type RuntimePodLookup } from './runtime-pod-lookup.js';
