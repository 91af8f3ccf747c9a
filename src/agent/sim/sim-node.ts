// The per-node state of the simulation: a handful of fields, so 5,000 nodes stay cheap.

import type { PodIpAllocator } from './cidr.js';

export interface SimNode {
  readonly name: string;
  /** position in the fleet: the node's heartbeat slot */
  readonly index: number;
  readonly zone: string | undefined;
  readonly podCIDR: string;
  readonly hostIP: string;
  uid: string | undefined;
  leaseRv: string | undefined;
  registered: boolean;
  /** false after stopHeartbeat: no lease renewals, no status writes */
  heartbeat: boolean;
  /** pods on the node are not advanced (a dead node agent) */
  frozen: boolean;
  lastStatusMs: number;
  /** when the status is written again if nothing changes (see node-runner: upstream's report interval and jitter) */
  statusDueMs: number;
  /** the next status write follows a change (registration, Ready again): its next report gets the random offset */
  statusChanged: boolean;
  readySinceMs: number;
  /** created on the first pod that needs an address */
  ips: PodIpAllocator | undefined;
}

export function createSimNode(
  name: string,
  index: number,
  zone: string | undefined,
  podCIDR: string,
  hostIP: string,
  nowMs: number,
): SimNode {
  return {
    name,
    index,
    zone,
    podCIDR,
    hostIP,
    uid: undefined,
    leaseRv: undefined,
    registered: false,
    heartbeat: true,
    frozen: false,
    lastStatusMs: 0,
    statusDueMs: Number.POSITIVE_INFINITY,
    statusChanged: true,
    readySinceMs: nowMs,
    ips: undefined,
  };
}
