// The public face of the node agent.

export { startAgent, type Agent, type AgentOptions, type AgentStats } from './agent.js';
export { KUBELET_VERSION, buildNode, nodeLabels, nodeStatus, type NodeDescription, type NodeHost, type NodeStatusInputs } from './node/node-object.js';
export { capacityOf } from './node/capacity.js';
export { nodeConditions } from './node/node-conditions.js';
export { buildNodeLease, nodeLeases } from './node/node-lease.js';
export { createNodeAgent, type NodeAgent, type NodeAgentOptions } from './node/node-agent.js';
export { hostDns, parseResolvConf } from './node/resolv-conf.js';
export { POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL, CONTAINER_NAME_LABEL } from './pods/labels.js';
export { podLogDirectory, type DnsSettings } from './pods/runtime-config.js';
export type { Runtime } from './runtime/runtime.js';
export { createRuntimeRouter, type RuntimeRouter, type RuntimeRouterOptions } from './runtime/runtime-router.js';
export type { Platform, HostInfo, PressureInfo, ManagedRuntime } from './platform/common/platform.js';
export { createHostPlatform, hostUnavailableReason, type HostPlatformOptions } from './platform/index.js';
export { ensurePauseArchive, PAUSE_IMAGE, type PauseArchive } from './images/pause-image.js';
