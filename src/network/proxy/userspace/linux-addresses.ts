// Cluster IPs as local addresses on Linux, through iproute2 (`ip`, needs root): they go onto a dummy
// link made for the purpose (default tandem-svc0, as kube-proxy's IPVS mode uses kube-ipvs0), so
// everything on that link is ours, a restart reconciles by listing it, and cleanup deletes the link.
// Where the kernel has no dummy driver (some containers) the addresses go onto lo instead, IPv4 ones
// labelled `lo:<link name>` so they can still be told apart and reconciled; IPv6 addresses have no
// labels, so on lo they are remembered only for the life of the process.
//
// The addresses are /32 (/128) host routes in the local table: the host and its pods (whose default
// route points at the host) reach them; other hosts do not learn them, as they are not announced.

import { execFile } from 'node:child_process';
import { isIPv6 } from 'node:net';
import type { Logger } from '../../../base/log.js';
import type { AddressManager } from './address-manager.js';

/** Runs `ip` with these arguments and returns its stdout; rejects with its stderr. */
type IpRunner = (args: readonly string[]) => Promise<string>;

const runIp: IpRunner = (args) =>
  new Promise((resolve, reject) => {
    execFile('ip', [...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });

export interface LinuxAddressManagerOptions {
  log: Logger;
  /** default tandem-svc0 (at most 15 characters, a Linux interface name) */
  linkName?: string;
  run?: IpRunner;
}

interface AddrInfo {
  family?: string;
  local?: string;
  scope?: string;
  label?: string;
}

const NAME = /^[A-Za-z0-9_.-]{1,12}$/;

export function createLinuxAddressManager(o: LinuxAddressManagerOptions): AddressManager {
  const link = o.linkName ?? 'tandem-svc0';
  // 12 so that the lo label `lo:<link>` fits the kernel's 15-character limit.
  if (!NAME.test(link)) throw new Error(`cluster IP link name ${JSON.stringify(link)} must be 1-12 letters, digits, '_', '.' or '-'`);
  const run = o.run ?? runIp;
  const label = `lo:${link}`;
  let mode: 'dummy' | 'lo' | undefined;
  const v6OnLo = new Set<string>();

  const dev = () => (mode === 'dummy' ? link : 'lo');

  async function ensureLink(): Promise<void> {
    if (mode) return;
    try {
      await run(['link', 'show', 'dev', link]);
    } catch {
      try {
        await run(['link', 'add', link, 'type', 'dummy']);
      } catch (e) {
        o.log.warn('cannot create a dummy link, putting cluster IPs on lo', { link, error: e });
        mode = 'lo';
        return;
      }
    }
    await run(['link', 'set', link, 'up']);
    mode = 'dummy';
  }

  async function owned(): Promise<string[]> {
    const out = await run(['-j', 'addr', 'show', 'dev', dev()]);
    const links = JSON.parse(out || '[]') as { addr_info?: AddrInfo[] }[];
    const found: string[] = [];
    for (const a of links[0]?.addr_info ?? []) {
      if (!a.local) continue;
      if (mode === 'dummy' ? a.scope !== 'link' : a.family === 'inet' && a.label === label) found.push(a.local);
    }
    if (mode === 'lo') found.push(...v6OnLo);
    return found;
  }

  const cidr = (ip: string) => (isIPv6(ip) ? `${ip}/128` : `${ip}/32`);

  async function add(ip: string): Promise<void> {
    const args = ['addr', 'add', cidr(ip), 'dev', dev()];
    if (isIPv6(ip)) args.push('nodad');
    else if (mode === 'lo') args.push('label', label);
    try {
      await run(args);
    } catch (e) {
      if (!/File exists/.test(String(e))) throw e;
    }
    if (mode === 'lo' && isIPv6(ip)) v6OnLo.add(ip);
  }

  async function remove(ip: string): Promise<void> {
    try {
      await run(['addr', 'del', cidr(ip), 'dev', dev()]);
    } catch (e) {
      if (!/Cannot assign requested address|not found/i.test(String(e))) throw e;
    }
    v6OnLo.delete(ip);
  }

  return {
    name: 'linux',
    async sync(addresses) {
      await ensureLink();
      const want = new Set(addresses);
      const have = new Set(await owned());
      for (const ip of have) if (!want.has(ip)) await remove(ip);
      for (const ip of want) if (!have.has(ip)) await add(ip);
    },
    async cleanup() {
      if (!mode) {
        // Never synced in this process: still remove what an earlier run left.
        try {
          await ensureLink();
        } catch (e) {
          o.log.debug('cluster IP link not usable at cleanup', { link, error: e });
          return;
        }
      }
      if (mode === 'dummy') await run(['link', 'del', link]);
      else for (const ip of await owned()) await remove(ip);
      mode = undefined;
    },
  };
}
