// Which resolvers forwarded names go to: the `upstreams` option when given ("10.0.0.2",
// "10.0.0.2:5353", "[fd00::2]:53", "fd00::2"), else the `nameserver` lines of /etc/resolv.conf.
// Entries that are this server itself (its own address and port, or a loopback or local address
// when it listens on every address at port 53) are skipped: forwarding to ourselves would loop.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Upstream } from './forwarder.js';

export const RESOLV_CONF = '/etc/resolv.conf';

/** Parses one upstream; throws naming the entry when it is not an address with an optional port. */
export function parseUpstream(s: string): Upstream {
  const t = s.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  const hostPort = /^([^:]+):(\d+)$/.exec(t);
  const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : hostPort ? [hostPort[1]!, hostPort[2]] : [t, undefined];
  const p = port === undefined ? 53 : Number(port);
  if (!isIP(host)) throw new Error(`upstream "${s}": ${host} is not an IP address`);
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`upstream "${s}": port must be 1..65535`);
  return { host: host.replace(/%.*$/, ''), port: p };
}

/** The nameserver addresses of a resolv.conf text, in order. */
export function parseResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const host = m[1]!.replace(/%.*$/, '');
    if (isIP(host)) out.push({ host, port: 53 });
  }
  return out;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::', '']);

function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

/** Drops the upstreams that are this server listening at `listen`. */
export function withoutSelf(ups: readonly Upstream[], listen: { host: string; port: number }): Upstream[] {
  const any = UNSPECIFIED.has(listen.host);
  const local = any ? localAddresses() : new Set<string>();
  return ups.filter((u) => {
    if (u.port !== listen.port) return true;
    if (u.host === listen.host) return false;
    return !(any && (local.has(u.host) || u.host.startsWith('127.') || u.host === '::1'));
  });
}

/** The upstreams to use: the option, or resolv.conf's (none when it cannot be read: Windows, a container without one). */
export function resolveUpstreams(option: readonly string[] | undefined, file = RESOLV_CONF): Upstream[] {
  if (option) return option.map(parseUpstream);
  try {
    return parseResolvConf(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
}
