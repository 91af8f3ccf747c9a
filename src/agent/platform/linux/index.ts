export {
  createLinuxPlatform, containerdInstalled, missingRuntimeTools, linuxUnavailableReason, importImageArchive, removeBridge, defaultSandboxImage,
} from './linux-platform.js';
export type { LinuxPlatform, LinuxPlatformOptions } from './linux-platform.js';
export { containerdLayout, bridgeName, parsePodCidr, renderContainerdConfig, renderCniConflist, renderHostsToml } from './containerd-config.js';
export type { ContainerdLayout } from './containerd-config.js';
export type { SupervisedContainerd } from './containerd-supervisor.js';
export { podCgroupParent, removePodCgroups, existingPodCgroups } from './cgroups.js';
