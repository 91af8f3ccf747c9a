// The names of everything a node on this data dir makes on the host, derived from the agent data
// dir (DATA/agent) so that `tandem down`, a restart after a crash, and a second Tandem on the same
// host can tell whose each one is: the CNI bridge and both nftables tables carry the same 8 hex of
// the data dir's hash. Tables of Tandems before this naming had fixed names (LEGACY_TABLES).
import { bridgeName } from './containerd-config.js';

export interface HostResourceNames {
  /** 8 hex of the data dir's hash, shared by every name below */
  suffix: string;
  /** the CNI bridge, `tdm<suffix>` */
  bridge: string;
  /** the service proxy's table in family ip */
  proxyTable: string;
  /** the pod network's masquerade table in family ip */
  podnetTable: string;
}

const PROXY_TABLE_PREFIX = 'tandem-proxy';
const PODNET_TABLE_PREFIX = 'tandem-podnet';

/** Fixed table names older Tandems used; no current node makes them. */
export const LEGACY_TABLES: readonly string[] = [PROXY_TABLE_PREFIX, PODNET_TABLE_PREFIX];

export function hostResourceNames(agentDataDir: string): HostResourceNames {
  const bridge = bridgeName(agentDataDir);
  const suffix = bridge.slice('tdm'.length);
  return { suffix, bridge, proxyTable: `${PROXY_TABLE_PREFIX}-${suffix}`, podnetTable: `${PODNET_TABLE_PREFIX}-${suffix}` };
}

/** Whether an nft table (family ip) belongs to some Tandem's pod network (this one's or another data dir's). */
export const isPodnetTable = (name: string): boolean => name === PODNET_TABLE_PREFIX || name.startsWith(`${PODNET_TABLE_PREFIX}-`);
