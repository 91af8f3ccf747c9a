// Model entries and free ports for the userspace proxy's tests and benchmark.

import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import type { ProxyEndpoint, ProxyServicePort } from '../../model.js';

export function endpoints(...ports: number[]): ProxyEndpoint[] {
  return ports.map((port) => ({ ip: '127.0.0.1', port, local: true }));
}

export function servicePort(
  id: string,
  o: Partial<ProxyServicePort> & Pick<ProxyServicePort, 'port' | 'clusterEndpoints'>,
): ProxyServicePort {
  const [ns = 'default', rest = id] = id.split('/');
  const [name = rest, portName = ''] = rest.split(':');
  return {
    id,
    namespace: ns,
    name,
    portName,
    protocol: 'TCP',
    clusterIPs: [],
    nodePortEndpoints: o.nodePortEndpoints ?? o.clusterEndpoints,
    ...o,
  };
}

/** A port free for both TCP and UDP on 0.0.0.0 right now (the kernel's pick for TCP, checked for UDP). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '0.0.0.0', () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '0.0.0.0', () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}
