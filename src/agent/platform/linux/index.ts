export { createLinuxPlatform, missingRuntimeTools, linuxUnavailableReason, removeBridge } from './linux-platform.js';
export { bridgeName } from './containerd-config.js';
export type { LinuxPlatform } from './linux-platform.js';
export { parsePodCidr } from './containerd-config.js';
export type { SupervisedContainerd } from './containerd-supervisor.js';
export { removePodCgroups, existingPodCgroups } from './cgroups.js';
export { hostResourceNames, isPodnetTable, LEGACY_TABLES, type HostResourceNames } from './host-names.js';
export * as hostCleanup from './host-cleanup.js';
