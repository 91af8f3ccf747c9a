// The Platform of the host this process runs on, chosen from process.platform: the one place that
// knows which platform folders exist. The CLI and the agent see only the common Platform.

import type { Logger } from '../../base/log.js';
import type { Platform } from './common/platform.js';
import { createLinuxPlatform, linuxUnavailableReason } from './linux/index.js';

export type { Platform } from './common/platform.js';

export interface HostPlatformOptions {
  /** the agent's data dir (its runtime's files live below it) */
  dataDir: string;
  /** the pod sandbox image the runtime is configured with */
  sandboxImage?: string;
  /** an OCI archive of that image, imported into the runtime after it starts */
  sandboxImageArchive?: string;
  log?: Logger;
}

function notBuilt(os: string): string {
  const windows = 'the Windows platform is not built yet';
  return os === 'win32'
    ? `the node agent for ${os} is not built yet: ${windows}`
    : `the node agent for ${os} is not built yet: it runs on Linux (${windows})`;
}

/** Why this host cannot run pods (no platform for its OS, tools missing, not root), or undefined when it can. */
export function hostUnavailableReason(os: NodeJS.Platform = process.platform): string | undefined {
  switch (os) {
    case 'linux':
      return linuxUnavailableReason();
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
    default:
      throw new Error(notBuilt(os));
  }
}
