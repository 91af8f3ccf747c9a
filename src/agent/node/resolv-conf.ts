// The host's DNS settings from its resolv.conf: the base of pods with dnsPolicy Default (and of
// hostNetwork pods with ClusterFirst), and the host search domains ClusterFirst pods inherit.
// Parsed as the kubelet does: nameservers accumulate, the last search (or domain) line and the last
// options line win, a trailing dot on a search domain is dropped.

import { readFile } from 'node:fs/promises';
import type { DnsSettings } from '../pods/dns-config.js';

const RESOLV_CONF = '/etc/resolv.conf';
/** systemd-resolved's list of the real upstream servers (its /etc/resolv.conf names only its stub) */
const SYSTEMD_RESOLV_CONF = '/run/systemd/resolve/resolv.conf';

export function parseResolvConf(text: string): DnsSettings {
  const out: DnsSettings = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest.map((s) => s.replace(/\.$/, '')).filter((s) => s !== '');
    else if (key === 'options') out.options = rest;
  }
  // a host resolver on loopback is not reachable from a pod's network namespace
  out.servers = out.servers.filter((s) => !s.startsWith('127.') && s !== '::1');
  return out;
}

async function read(path: string): Promise<DnsSettings | undefined> {
  try {
    return parseResolvConf(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The host's settings (empty when the file cannot be read). Without an explicit path, a host whose
 * resolv.conf names only a loopback stub (systemd-resolved's 127.0.0.53) is read from
 * systemd-resolved's own list instead, as kubeadm configures the kubelet to.
 */
export async function hostDns(path?: string): Promise<DnsSettings> {
  const empty: DnsSettings = { servers: [], searches: [], options: [] };
  const main = (await read(path ?? RESOLV_CONF)) ?? empty;
  if (path !== undefined || main.servers.length > 0) return main;
  const resolved = await read(SYSTEMD_RESOLV_CONF);
  return resolved && resolved.servers.length > 0 ? resolved : main;
}
