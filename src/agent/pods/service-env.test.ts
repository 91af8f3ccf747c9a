import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from '../../api/gen/types.js';
import { resolveEnv } from './env.js';
import { createStaticObjectSource } from './object-source.js';
import { serviceEnv } from './service-env.js';

const svc = (namespace: string, name: string, clusterIP: string, ports: NonNullable<Service['spec']>['ports']): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { clusterIP, ports },
});
const services = [
  svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]),
  svc('team', 'redis-main', '10.96.4.7', [
    { port: 6379, protocol: 'TCP' },
    { name: 'metrics', port: 9121, protocol: 'UDP' },
  ]),
  svc('team', 'headless', 'None', [{ port: 80 }]),
  svc('other', 'elsewhere', '10.96.9.9', [{ port: 80 }]),
];
const pod = (ns: string, enableServiceLinks?: boolean, env?: Array<{ name: string; value: string }>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: ns },
  spec: { containers: [{ name: 'c', ...(env ? { env } : {}) }], ...(enableServiceLinks === undefined ? {} : { enableServiceLinks }) },
});

const KUBERNETES = {
  KUBERNETES_SERVICE_HOST: '10.96.0.1',
  KUBERNETES_SERVICE_PORT: '443',
  KUBERNETES_SERVICE_PORT_HTTPS: '443',
  KUBERNETES_PORT: 'tcp://10.96.0.1:443',
  KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
  KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
  KUBERNETES_PORT_443_TCP_PORT: '443',
  KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
};

test('the kubernetes Service is in every pod, links of its own namespace unless turned off', () => {
  assert.deepEqual(Object.fromEntries(serviceEnv(pod('team', false), services)), KUBERNETES);
  assert.deepEqual(Object.fromEntries(serviceEnv(pod('other', false), services)), KUBERNETES);
  const linked: Record<string, string> = Object.fromEntries(serviceEnv(pod('team'), services));
  assert.deepEqual(linked, {
    ...KUBERNETES,
    REDIS_MAIN_SERVICE_HOST: '10.96.4.7',
    REDIS_MAIN_SERVICE_PORT: '6379',
    REDIS_MAIN_SERVICE_PORT_METRICS: '9121',
    REDIS_MAIN_PORT: 'tcp://10.96.4.7:6379',
    REDIS_MAIN_PORT_6379_TCP: 'tcp://10.96.4.7:6379',
    REDIS_MAIN_PORT_6379_TCP_PROTO: 'tcp',
    REDIS_MAIN_PORT_6379_TCP_PORT: '6379',
    REDIS_MAIN_PORT_6379_TCP_ADDR: '10.96.4.7',
    REDIS_MAIN_PORT_9121_UDP: 'udp://10.96.4.7:9121',
    REDIS_MAIN_PORT_9121_UDP_PROTO: 'udp',
    REDIS_MAIN_PORT_9121_UDP_PORT: '9121',
    REDIS_MAIN_PORT_9121_UDP_ADDR: '10.96.4.7',
  });
  assert.equal(serviceEnv(pod('team'), services).get('HEADLESS_SERVICE_HOST'), undefined, 'no ClusterIP, no variables');
  assert.equal(serviceEnv(pod('team'), services).get('ELSEWHERE_SERVICE_HOST'), undefined, 'another namespace');
});

test('in a container env: own variables win, $(VAR) can name Service variables, they come after', async () => {
  const p = pod('team', false, [
    { name: 'API', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' },
    { name: 'KUBERNETES_SERVICE_PORT', value: '8443' },
  ]);
  const env = await resolveEnv({
    pod: p,
    container: p.spec!.containers[0]!,
    objects: createStaticObjectSource({}),
    facts: {},
    allocatable: {},
    services,
  });
  const got = new Map(env.envs.map((e) => [e.key, e.value]));
  assert.equal(got.get('API'), 'https://10.96.0.1:443', 'expanded before the container set its own port');
  assert.equal(got.get('KUBERNETES_SERVICE_PORT'), '8443');
  assert.equal(got.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
  assert.deepEqual(
    env.envs.slice(0, 2).map((e) => e.key),
    ['API', 'KUBERNETES_SERVICE_PORT'],
  );
  // without a Service list (tests, simulated agents): nothing added
  const bare = await resolveEnv({
    pod: p,
    container: p.spec!.containers[0]!,
    objects: createStaticObjectSource({}),
    facts: {},
    allocatable: {},
  });
  assert.equal(bare.envs.length, 2);
});
