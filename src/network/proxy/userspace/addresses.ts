// How cluster IPs become addresses the userspace proxy can listen on. A ClusterIP is virtual: with
// no kernel rules redirecting it, a socket can only accept traffic for it if the host owns the
// address. The strategy is injected: on Linux as root, the addresses go onto a dummy link (as IPVS
// mode's kube-ipvs0; linux-addresses.ts); where addresses are already local (127.x in tests, or an
// address an administrator or HNS put on a Windows adapter) nothing needs doing (the static manager);
// elsewhere cluster IPs are not bound at all and only node ports serve (defaultAddressManager says so).

import type { Logger } from '../../../base/log.js';
import type { AddressManager } from './address-manager.js';
import { createLinuxAddressManager } from './linux-addresses.js';

/** Addresses are local already (127.0.0.0/8 on Linux and Windows, or assigned outside Tandem): nothing to do. */
export function createStaticAddressManager(): AddressManager {
  return { name: 'static', sync: () => Promise.resolve(), cleanup: () => Promise.resolve() };
}

interface DefaultAddressManagerOptions {
  log: Logger;
  /** dummy link for cluster IPs on Linux (default tandem-svc0) */
  linkName?: string;
  /** default process.platform */
  platform?: NodeJS.Platform;
  /** default: whether the process runs as root (process.getuid() === 0) */
  privileged?: boolean;
}

/**
 * The strategy for this host, or undefined when cluster IPs cannot be bound here (the proxy then
 * serves node ports only and says so): Linux as root adds them to a dummy link; Linux without root
 * and Windows cannot (see index.ts for Windows).
 */
export function defaultAddressManager(o: DefaultAddressManagerOptions): AddressManager | undefined {
  const platform = o.platform ?? process.platform;
  const privileged = o.privileged ?? (typeof process.getuid === 'function' && process.getuid() === 0);
  if (platform === 'linux' && privileged) return createLinuxAddressManager({ log: o.log, ...(o.linkName ? { linkName: o.linkName } : {}) });
  return undefined;
}
