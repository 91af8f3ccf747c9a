// The Platform for Windows hosts: host facts from the registry and the os module, memory and disk
// pressure, and containerd found on its named pipe when the host runs one. There are no cgroups
// (containerd's job objects are per container) and no pod network to clean up, and pods whose
// runtime is the native process runtime need nothing from the host, so the platform is always usable.
import { nullLogger, type Logger } from '../../../base/log.js';
import type { Platform } from '../common/platform.js';
import { DEFAULT_CONTAINERD_PIPE, npipeEndpoint, pipeAnswers } from './containerd-pipe.js';
import { windowsHostInfo, windowsPressure } from './host-info.js';

export interface WindowsPlatformOptions {
  /** the agent's data dir: machine-id fallback and ephemeral storage */
  dataDir: string;
  log?: Logger;
  /** the containerd pipe to look for, default `\\.\pipe\containerd-containerd` */
  containerdPipe?: string;
}

export function createWindowsPlatform(o: WindowsPlatformOptions): Platform {
  const log = o.log ?? nullLogger;
  const pipe = o.containerdPipe ?? DEFAULT_CONTAINERD_PIPE;
  const endpoint = npipeEndpoint(pipe);
  return {
    hostInfo: () => windowsHostInfo(o.dataDir),
    pressure: () => windowsPressure(o.dataDir),
    whyUnavailable: () => undefined,
    podResourceParent: () => undefined,
    cleanupPod: async () => undefined,
    async startRuntime() {
      if (await pipeAnswers(pipe)) {
        log.info('using the containerd that serves this host', { endpoint });
        // the host owns that containerd: stopping the agent leaves it running
        return { endpoint, stop: async () => undefined };
      }
      log.info('no containerd answers: the agent runs with the process runtime alone', { pipe });
      return undefined;
    },
  };
}
