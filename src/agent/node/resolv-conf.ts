// The host's DNS settings from /etc/resolv.conf, handed to pods until cluster DNS exists.

import { readFile } from 'node:fs/promises';
import type { DnsSettings } from '../pods/runtime-config.js';

export function parseResolvConf(text: string): DnsSettings {
  const out: DnsSettings = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  // a host resolver on loopback is not reachable from a pod's network namespace
  out.servers = out.servers.filter((s) => !s.startsWith('127.') && s !== '::1');
  return out;
}

export async function hostDns(path = '/etc/resolv.conf'): Promise<DnsSettings> {
  try {
    return parseResolvConf(await readFile(path, 'utf8'));
  } catch {
    return { servers: [], searches: [], options: [] };
  }
}
