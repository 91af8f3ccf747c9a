// Synthetic fleet objects for the web view's bench: nodes shaped like `tandem sim`'s (OS and
// Windows-build labels, Hyper-V runtime handler, capacity, Ready condition) and pods owned by
// Deployments spread over them, plus node metrics. Sizes come from the caller.

import type { Deployment, Node, Pod } from '../src/api/gen/types.js';

const BUILDS = ['10.0.17763', '10.0.20348', '10.0.26100'];
/** pods are spread over this many Deployments, app-K in namespace team-(K % 20) */
export const DEPLOYMENTS = 300;

export function fixtureDeployment(k: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `app-${k}`, namespace: `team-${k % 20}`, uid: `deploy-${k}`, labels: { app: `app-${k}` } },
    spec: {
      replicas: 100,
      selector: { matchLabels: { app: `app-${k}` } },
      template: { spec: { containers: [{ name: 'main', image: 'example/app:1' }] } },
    },
    status: { replicas: 100, readyReplicas: 90 },
  };
}

export function fixtureNode(i: number, windowsShare = 0.4): Node {
  const windows = i % 10 < windowsShare * 10;
  const build = BUILDS[i % BUILDS.length] ?? '10.0.20348';
  const name = `${windows ? 'win' : 'lin'}-${String(i).padStart(5, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: `node-${i}`,
      labels: {
        'kubernetes.io/os': windows ? 'windows' : 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'tandem.io/simulated': 'true',
        ...(windows ? { 'node.kubernetes.io/windows-build': build } : {}),
      },
    },
    status: {
      capacity: { cpu: '8', memory: '32Gi', pods: '110' },
      allocatable: { cpu: '8', memory: '31Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: i % 97 === 0 ? 'False' : 'True', reason: 'KubeletReady' }],
      nodeInfo: windows ? ({ operatingSystem: 'windows' } as NonNullable<Node['status']>['nodeInfo']) : undefined,
      runtimeHandlers: windows && i % 2 === 0 ? [{ name: 'runhcs-wcow-hypervisor' }] : [],
    },
  };
}

export function fixturePod(i: number, nodes: number, phase = 'Running'): Pod {
  const deploy = `app-${i % DEPLOYMENTS}`;
  const node = fixtureNode(i % nodes);
  const windows = node.metadata.labels?.['kubernetes.io/os'] === 'windows';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${deploy}-abc12-${i}`,
      namespace: `team-${i % 20}`,
      uid: `pod-${i}`,
      labels: { app: deploy, 'pod-template-hash': 'abc12' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${deploy}-abc12`, uid: `rs-${deploy}`, controller: true }],
      ...(windows ? { annotations: { 'tandem.dev/isolation': i % 3 === 0 ? 'hyperv' : 'process' } } : {}),
    },
    spec: { nodeName: node.metadata.name, containers: [{ name: 'main', image: 'example/app:1' }] },
    status: {
      phase,
      conditions: [
        { type: 'Ready', status: phase === 'Running' ? 'True' : 'False', reason: phase === 'Running' ? undefined : 'ContainersNotReady' },
      ],
    },
  };
}
