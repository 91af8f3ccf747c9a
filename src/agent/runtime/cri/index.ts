export { createCriRuntime, handlersFromConfig } from './cri-runtime.js';
export type { CriRuntime, CriRuntimeOptions, PodSandboxStats, FsUsage } from './cri-runtime.js';
export { criProtoPath, grpcTarget } from './cri-client.js';
export { measureRawCriStartup } from './measure-startup.js';
export type { RawStartupTimings } from './measure-startup.js';
