// Which backend forwards Service traffic on this node: the kernel (nftables) where it can, else the
// userspace proxy. The kernel needs Linux, root and a working `nft`; there is no iptables-restore
// backend, so a host with iptables but without nft gets the userspace proxy and a reason that says
// to install nftables. The userspace backend is passed in by the caller (the CLI wires it), so this
// folder does not depend on it.

import type { Logger } from '../../base/log.js';
import type { ProxyBackend } from './model.js';
import { createNftablesBackend, nftablesUnavailable } from './nftables/nftables-backend.js';
import type { TableOptions } from './nftables/table-spec.js';

export interface ChooseBackendOptions extends TableOptions {
  log: Logger;
  /** `auto` (default): the kernel when it works; `nftables` or `userspace` force one (nftables fails if unavailable). */
  mode?: 'auto' | 'nftables' | 'userspace';
  /** Makes the userspace backend (only called when it is chosen). */
  userspace: () => ProxyBackend;
  /** Run host tools behind this prefix (tests). */
  commandPrefix?: readonly string[];
}

export interface ChosenBackend {
  backend: ProxyBackend;
  /** Why this one, for the log and `tandem doctor`. */
  reason: string;
}

export async function chooseProxyBackend(o: ChooseBackendOptions): Promise<ChosenBackend> {
  const mode = o.mode ?? 'auto';
  if (mode === 'userspace') return { backend: o.userspace(), reason: 'userspace proxy chosen by configuration' };
  const why = await nftablesUnavailable(o.commandPrefix ?? []);
  if (why === undefined) {
    const { userspace: _u, mode: _m, ...opts } = o;
    return { backend: createNftablesBackend(opts), reason: 'nftables works here (Linux, root, nft)' };
  }
  if (mode === 'nftables') throw new Error(`nftables proxy backend ${why}`);
  o.log.warn('service proxy falls back to userspace', { reason: why });
  return { backend: o.userspace(), reason: `nftables ${why}; using the userspace proxy` };
}
