export { startStreamingServer, type StreamingServer } from './streaming-server.js';
export { createRuntimePodLookup } from './runtime-pod-lookup.js';
export { createAgentAuth } from './auth/index.js';
