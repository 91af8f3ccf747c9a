// The Platform of the host this process runs on, chosen from process.platform: the one place that
// knows which platform folders exist. The CLI and the agent see only the common Platform (and, for
// `tandem agent install-service`, the Windows service registration).

import type { Logger } from '../../base/log.js';
import type { Platform } from './common/platform.js';
import { createLinuxPlatform, linuxUnavailableReason } from './linux/index.js';
import { createWindowsPlatform } from './windows/index.js';

export type { Platform } from './common/platform.js';
export { installService, uninstallService } from './windows/index.js';
export { bridgeName } from './linux/index.js';

export interface HostPlatformOptions {
  /** the agent's data dir (its runtime's files live below it) */
  dataDir: string;
  /** the pod sandbox image the runtime is configured with */
  sandboxImage?: string;
  /** an OCI archive of that image, imported into the runtime after it starts */
  sandboxImageArchive?: string;
  log?: Logger;
  /** Windows: the containerd named pipe to look for (default \\.\pipe\containerd-containerd) */
  containerdPipe?: string;
}

function notBuilt(os: string): string {
  return `the node agent for ${os} is not built yet: it runs on Linux and Windows`;
}

/** Why this host cannot run pods (no platform for its OS, tools missing, not root), or undefined when it can. */
export function hostUnavailableReason(os: NodeJS.Platform = process.platform): string | undefined {
  switch (os) {
    case 'linux':
      return linuxUnavailableReason();
    case 'win32':
      // the process runtime needs nothing from the host; containerd is optional (see startRuntime)
      return undefined;
    default:
      return notBuilt(os);
  }
}

/** The Platform for this host's OS; throws, naming the OS, where none is built. */
export function createHostPlatform(o: HostPlatformOptions, os: NodeJS.Platform = process.platform): Platform {
  switch (os) {
    case 'linux':
      return createLinuxPlatform({
        dataDir: o.dataDir,
        sandboxImage: o.sandboxImage,
        pauseImageArchive: o.sandboxImageArchive,
        log: o.log,
      });
    case 'win32':
      return createWindowsPlatform({
        dataDir: o.dataDir,
        ...(o.log ? { log: o.log } : {}),
        ...(o.containerdPipe ? { containerdPipe: o.containerdPipe } : {}),
      });
    default:
      throw new Error(notBuilt(os));
  }
}
