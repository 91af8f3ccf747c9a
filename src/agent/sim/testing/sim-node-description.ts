// A simulated node's description with test defaults, for the node-object tests of the agent and the sim.

import type { SimNodeDescription } from '../node-object.js';

export const simNodeDescription = (o: Partial<SimNodeDescription> = {}): SimNodeDescription => ({
  name: 'n0',
  os: 'linux',
  arch: 'amd64',
  cpu: '8',
  memory: '32Gi',
  pods: 110,
  ephemeralStorage: '100Gi',
  labels: {},
  taints: [],
  hyperV: false,
  podCIDR: '10.128.5.0/24',
  internalIP: '10.200.0.7',
  kubeletVersion: 'v1.32.0-tandem',
  bootSeed: 'b',
  ...o,
});
