// NodePorts: a pod's hostPorts must be free on the node. Two uses conflict on the same protocol and
// port when either binds all addresses (0.0.0.0) or both bind the same address.

import type { FilterPlugin, PreFilterPlugin } from '../../framework/interfaces.js';
import type { HostPort } from '../../framework/pod-info.js';
import { fixed, SKIP } from '../../framework/status.js';

export const NAME = 'NodePorts';
export const REASON = "node(s) didn't have free ports for the requested pod ports";
const REJECT = fixed('Unschedulable', REASON);

const ANY = '0.0.0.0';
export function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === ANY || b.ip === ANY || a.ip === b.ip;
}

export function create(): PreFilterPlugin & FilterPlugin {
  return {
    name: NAME,
    preFilter(_s, pod) {
      return pod.hostPorts.length === 0 ? SKIP : undefined;
    },
    filter(_state, pod, node) {
      if (node.usedPorts.length === 0) return undefined;
      for (const want of pod.hostPorts) for (const used of node.usedPorts) if (portsConflict(want, used)) return REJECT;
      return undefined;
    },
  };
}
