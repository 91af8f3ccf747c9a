export { startStreamingServer, type StreamingServer, type StreamingServerOptions, type PodLookup, type StreamPod } from './streaming-server.js';
