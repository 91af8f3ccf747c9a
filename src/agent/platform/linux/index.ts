export { createLinuxPlatform, missingRuntimeTools, linuxUnavailableReason, removeBridge } from './linux-platform.js';
export { bridgeName } from './containerd-config.js';
export type { LinuxPlatform } from './linux-platform.js';
export { parsePodCidr } from './containerd-config.js';
export type { SupervisedContainerd } from './containerd-supervisor.js';
export { removePodCgroups, existingPodCgroups } from './cgroups.js';
