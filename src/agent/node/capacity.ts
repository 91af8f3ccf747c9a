// What this host offers pods: capacity from its measured figures, and allocatable after a small
// reserve for the system (100m cpu, 5% of memory up to 512Mi plus 100Mi for eviction, 10% of storage).

import type { HostInfo } from '../platform/common/platform.js';

const MAX_PODS = 110;

const MI = 1024 ** 2;

export interface NodeResources {
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
}

export function capacityOf(host: Pick<HostInfo, 'cpuCores' | 'memoryBytes' | 'ephemeralStorageBytes'>): NodeResources {
  const mem = host.memoryBytes;
  const memReserve = Math.min(Math.floor(mem * 0.05), 512 * MI) + 100 * MI;
  const storage = host.ephemeralStorageBytes;
  return {
    capacity: {
      cpu: String(host.cpuCores),
      memory: `${Math.floor(mem / 1024)}Ki`,
      pods: String(MAX_PODS),
      'ephemeral-storage': `${Math.floor(storage / 1024)}Ki`,
      'hugepages-2Mi': '0',
    },
    allocatable: {
      cpu: `${Math.max(0, host.cpuCores * 1000 - 100)}m`,
      memory: `${Math.floor(Math.max(0, mem - memReserve) / 1024)}Ki`,
      pods: String(MAX_PODS),
      'ephemeral-storage': String(Math.floor(storage * 0.9)),
      'hugepages-2Mi': '0',
    },
  };
}
