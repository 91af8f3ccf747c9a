// Where a command keeps its state: --data-dir, else $TANDEM_HOME, else the OS's default: ~/.tandem on
// Linux, %ProgramData%\tandem on Windows (machine-wide, where services keep their data: the agent
// runs as a service under LocalSystem, whose home is not a place for it).

import { homedir } from 'node:os';
import { join, resolve, win32 } from 'node:path';

export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return win32.join(env['ProgramData'] ?? env['ALLUSERSPROFILE'] ?? 'C:\\ProgramData', 'tandem');
  return join(homedir(), '.tandem');
}

export function resolveDataDir(flag: string | undefined): string {
  if (flag) return resolve(flag);
  if (process.env['TANDEM_HOME']) return resolve(process.env['TANDEM_HOME']);
  return defaultDataDir();
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text);
  if (!m) throw new Error(`--listen must be HOST:PORT (got "${text}")`);
  const port = Number(m[2]);
  if (port < 0 || port > 65535) throw new Error(`--listen port must be 0-65535 (got ${port})`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}
