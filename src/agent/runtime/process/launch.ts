// The command line, environment and working directory of a container's process (and of commands
// exec'd in it): the container's record through command.ts's rules, against the real file system.

import { statSync } from 'node:fs';
import type { ContainerRecord } from './records.js';
import { envGet, launchFor, mergeArgv, mergeEnv, resolveCommand, workingDirectory, type ProcessOs } from './command.js';

export interface Launch {
  file: string;
  args: string[];
  windowsVerbatimArguments: boolean;
  env: Record<string, string>;
  cwd: string;
}

const isFile = (p: string) => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
const isDir = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

const LINUX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// what a Windows program needs from its environment to start at all (HostProcess containers run
// with the host's system variables too)
const WINDOWS_HOST_VARS = [
  'SystemRoot',
  'windir',
  'SystemDrive',
  'ComSpec',
  'PATHEXT',
  'PATH',
  'TEMP',
  'TMP',
  'ProgramData',
  'ProgramFiles',
  'USERPROFILE',
];

function containerEnv(os: ProcessOs, rec: ContainerRecord, hostEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env = mergeEnv(os, rec.imageConfig.env, rec.cfg.envs);
  if (os === 'linux' && envGet(env, os, 'PATH') === undefined) env['PATH'] = LINUX_PATH;
  if (os === 'windows') {
    for (const k of WINDOWS_HOST_VARS) {
      const v = envGet(hostEnv as Record<string, string>, os, k);
      if (v !== undefined && envGet(env, os, k) === undefined) env[k] = v;
    }
  }
  env['CONTAINER_SANDBOX_MOUNT_POINT'] = rec.root;
  return env;
}

/** argv (the container's, or `cmd` for an exec) resolved and wrapped for spawning. */
export function launchOf(os: ProcessOs, rec: ContainerRecord, hostEnv: NodeJS.ProcessEnv, cmd?: string[]): Launch {
  const env = containerEnv(os, rec, hostEnv);
  const cwd = workingDirectory(os, rec.root, rec.cfg.workingDir, rec.imageConfig.workingDir, isDir);
  const [argv0 = '', ...rest] = cmd ?? mergeArgv(rec.cfg.command, rec.cfg.args, rec.imageConfig);
  const containerPath = envGet(env, os, 'PATH');
  const hostPath = envGet(hostEnv as Record<string, string>, os, 'PATH');
  const pathExt = envGet(env, os, 'PATHEXT');
  const file = resolveCommand(argv0, {
    os,
    root: rec.root,
    cwd,
    ...(containerPath !== undefined ? { containerPath } : {}),
    ...(hostPath !== undefined ? { hostPath } : {}),
    ...(pathExt !== undefined ? { pathExt } : {}),
    isFile,
  });
  const comSpec = envGet(hostEnv as Record<string, string>, os, 'ComSpec');
  return { ...launchFor(os, [file, ...rest], comSpec), env, cwd };
}
