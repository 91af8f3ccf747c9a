// The native process runtime (the HostProcess model): containers as host processes under a shim.

export { createProcessRuntime } from './process-runtime.js';
