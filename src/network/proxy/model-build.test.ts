// Table tests of the proxy model: which Services are proxied and which endpoints each port gets.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoint, EndpointSlice, Service, ServiceSpec } from '../../api/gen/types.js';
import { buildServicePorts } from './model-build.js';
import { endpointSlice, service } from './testing/objects.js';

type Ep = Partial<Endpoint> & { ip: string };
const ep = (ip: string, more: Omit<Ep, 'ip'> = {}): Ep => ({ ip, ...more });

interface Case {
  name: string;
  spec: Partial<ServiceSpec>;
  slices: EndpointSlice[];
  /** expected per port id: cluster endpoints and node-port endpoints as "ip:port" (local ones marked "*") */
  want: Record<string, { cluster: string[]; nodePort: string[]; nodePortNumber?: number; affinity?: number }>;
}

const NODE = 'node-a';
const web = (spec: Partial<ServiceSpec>): Service => service('default', 'web', { clusterIP: '10.96.0.10', ...spec });
const fmt = (eps: { ip: string; port: number; local: boolean }[]) => eps.map((e) => `${e.ip}:${e.port}${e.local ? '*' : ''}`);

const cases: Case[] = [
  {
    name: 'ready endpoints of every labelled slice, matched by port name and protocol',
    spec: {
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    },
    slices: [
      endpointSlice(
        'default',
        'web',
        'web-1',
        [ep('10.244.0.5', { nodeName: NODE }), ep('10.244.1.5')],
        [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'dns', port: 5353, protocol: 'UDP' },
        ],
      ),
      endpointSlice(
        'default',
        'web',
        'web-2',
        [ep('10.244.2.5')],
        [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'dns', port: 5353, protocol: 'TCP' },
        ],
      ),
    ],
    want: {
      'default/web:http': {
        cluster: ['10.244.0.5:8080*', '10.244.1.5:8080', '10.244.2.5:8080'],
        nodePort: ['10.244.0.5:8080*', '10.244.1.5:8080', '10.244.2.5:8080'],
      },
      'default/web:dns': { cluster: ['10.244.0.5:5353*', '10.244.1.5:5353'], nodePort: ['10.244.0.5:5353*', '10.244.1.5:5353'] },
    },
  },
  {
    name: 'not-ready endpoints are left out; absent conditions mean ready',
    spec: { ports: [{ port: 80 }] },
    slices: [
      endpointSlice('default', 'web', 'web-1', [ep('10.244.0.5', { conditions: { ready: false } }), ep('10.244.0.6')], [{ port: 80 }]),
    ],
    want: { 'default/web:': { cluster: ['10.244.0.6:80'], nodePort: ['10.244.0.6:80'] } },
  },
  {
    name: 'no ready endpoint: serving and terminating ones are used',
    spec: { ports: [{ port: 80 }] },
    slices: [
      endpointSlice(
        'default',
        'web',
        'web-1',
        [
          ep('10.244.0.5', { conditions: { ready: false, serving: true, terminating: true } }),
          ep('10.244.0.6', { conditions: { ready: false, serving: false, terminating: true } }),
          ep('10.244.0.7', { conditions: { ready: false, serving: true, terminating: false } }),
        ],
        [{ port: 80 }],
      ),
    ],
    want: { 'default/web:': { cluster: ['10.244.0.5:80'], nodePort: ['10.244.0.5:80'] } },
  },
  {
    name: 'a ready endpoint anywhere hides the terminating ones',
    spec: { ports: [{ port: 80 }] },
    slices: [
      endpointSlice(
        'default',
        'web',
        'web-1',
        [ep('10.244.0.5', { conditions: { ready: false, serving: true, terminating: true } }), ep('10.244.0.6')],
        [{ port: 80 }],
      ),
    ],
    want: { 'default/web:': { cluster: ['10.244.0.6:80'], nodePort: ['10.244.0.6:80'] } },
  },
  {
    name: 'internalTrafficPolicy Local keeps this node’s endpoints for cluster traffic only',
    spec: { type: 'NodePort', internalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30080 }] },
    slices: [
      endpointSlice(
        'default',
        'web',
        'w',
        [ep('10.244.0.5', { nodeName: NODE }), ep('10.244.1.5', { nodeName: 'node-b' })],
        [{ port: 80 }],
      ),
    ],
    want: { 'default/web:': { cluster: ['10.244.0.5:80*'], nodePort: ['10.244.0.5:80*', '10.244.1.5:80'], nodePortNumber: 30080 } },
  },
  {
    name: 'externalTrafficPolicy Local keeps this node’s endpoints for node-port traffic only',
    spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30080 }] },
    slices: [
      endpointSlice(
        'default',
        'web',
        'w',
        [ep('10.244.0.5', { nodeName: NODE }), ep('10.244.1.5', { nodeName: 'node-b' })],
        [{ port: 80 }],
      ),
    ],
    want: { 'default/web:': { cluster: ['10.244.0.5:80*', '10.244.1.5:80'], nodePort: ['10.244.0.5:80*'], nodePortNumber: 30080 } },
  },
  {
    name: 'Local policy with only a terminating local endpoint falls back to it',
    spec: { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30080 }] },
    slices: [
      endpointSlice(
        'default',
        'web',
        'w',
        [
          ep('10.244.0.5', { nodeName: NODE, conditions: { ready: false, serving: true, terminating: true } }),
          ep('10.244.1.5', { nodeName: 'node-b' }),
        ],
        [{ port: 80 }],
      ),
    ],
    want: { 'default/web:': { cluster: ['10.244.1.5:80'], nodePort: ['10.244.0.5:80*'], nodePortNumber: 30080 } },
  },
  {
    name: 'Local policy without local endpoints: none',
    spec: { internalTrafficPolicy: 'Local', ports: [{ port: 80 }] },
    slices: [endpointSlice('default', 'web', 'w', [ep('10.244.1.5', { nodeName: 'node-b' })], [{ port: 80 }])],
    want: { 'default/web:': { cluster: [], nodePort: ['10.244.1.5:80'] } },
  },
  {
    name: 'a nodePort on a ClusterIP Service is not answered',
    spec: { type: 'ClusterIP', ports: [{ port: 80, nodePort: 30080 }] },
    slices: [],
    want: { 'default/web:': { cluster: [], nodePort: [] } },
  },
  {
    name: 'session affinity ClientIP with the default and a given timeout',
    spec: { sessionAffinity: 'ClientIP', ports: [{ name: 'a', port: 80 }] },
    slices: [],
    want: { 'default/web:a': { cluster: [], nodePort: [], affinity: 10800 } },
  },
  {
    name: 'session affinity timeout from sessionAffinityConfig',
    spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] },
    slices: [],
    want: { 'default/web:': { cluster: [], nodePort: [], affinity: 60 } },
  },
  {
    name: 'duplicate endpoints across slices count once, the local copy wins',
    spec: { ports: [{ port: 80 }] },
    slices: [
      endpointSlice('default', 'web', 'a', [ep('10.244.0.5')], [{ port: 80 }]),
      endpointSlice('default', 'web', 'b', [ep('10.244.0.5', { nodeName: NODE })], [{ port: 80 }]),
      endpointSlice('default', 'other', 'c', [ep('10.244.9.9')], [{ port: 80 }]),
    ],
    want: { 'default/web:': { cluster: ['10.244.0.5:80*'], nodePort: ['10.244.0.5:80*'] } },
  },
  { name: 'headless Services are skipped', spec: { clusterIP: 'None', ports: [{ port: 80 }] }, slices: [], want: {} },
  {
    name: 'ExternalName Services are skipped',
    spec: { type: 'ExternalName', clusterIP: '', externalName: 'example.com', ports: [{ port: 80 }] },
    slices: [],
    want: {},
  },
];

describe('buildServicePorts', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = buildServicePorts([web(c.spec)], c.slices, NODE);
      const byId = Object.fromEntries(
        got.map((p) => [
          p.id,
          {
            cluster: fmt(p.clusterEndpoints),
            nodePort: fmt(p.nodePortEndpoints),
            ...(p.nodePort ? { nodePortNumber: p.nodePort } : {}),
            ...(p.affinityTimeoutSeconds ? { affinity: p.affinityTimeoutSeconds } : {}),
          },
        ]),
      );
      assert.deepEqual(byId, c.want);
    });
  }

  it('keeps the protocol, ports and cluster IPs of each Service port', () => {
    const [p] = buildServicePorts([web({ clusterIPs: ['10.96.0.10'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] })], [], NODE);
    assert.deepEqual(p, {
      id: 'default/web:dns',
      namespace: 'default',
      name: 'web',
      portName: 'dns',
      protocol: 'UDP',
      clusterIPs: ['10.96.0.10'],
      port: 53,
      clusterEndpoints: [],
      nodePortEndpoints: [],
    });
  });
});
