// Where a command keeps its state: --data-dir, else $TANDEM_HOME, else ~/.tandem.

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function resolveDataDir(flag: string | undefined): string {
  if (flag) return resolve(flag);
  if (process.env['TANDEM_HOME']) return resolve(process.env['TANDEM_HOME']);
  return join(homedir(), '.tandem');
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text);
  if (!m) throw new Error(`--listen must be HOST:PORT (got "${text}")`);
  const port = Number(m[2]);
  if (port < 0 || port > 65535) throw new Error(`--listen port must be 0-65535 (got ${port})`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}
