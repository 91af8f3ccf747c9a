import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandVars } from './expand.js';
import { ContainerConfigError, resolveEnv } from './env.js';
import { createStaticObjectSource } from './object-source.js';
import type { Container, Pod } from '../../api/gen/types.js';

const pod = (c: Container): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'ns1', uid: 'u-1', labels: { app: 'web', tier: 'a' }, annotations: { note: 'x"y' } },
  spec: { nodeName: 'n1', serviceAccountName: 'sa', containers: [c] },
});
const objects = createStaticObjectSource({
  configMaps: { 'ns1/cfg': { A: 'alpha', B: 'beta', 'bad=key': 'z' } },
  secrets: { 'ns1/sec': { PASSWORD: 's3cret' } },
});
const facts = { podIP: '10.0.0.5', hostIP: '192.0.2.1' };
const allocatable = { cpu: '3900m', memory: '7000Mi' };

test('$(VAR) expansion follows upstream rules', () => {
  const vars: Record<string, string> = { A: 'x', B: 'y' };
  const l = (n: string) => vars[n];
  assert.equal(expandVars('$(A)-$(B)', l), 'x-y');
  assert.equal(expandVars('$$(A)', l), '$(A)');
  assert.equal(expandVars('$(MISSING)', l), '$(MISSING)');
  assert.equal(expandVars('$(A', l), '$(A');
  assert.equal(expandVars('a$b$', l), 'a$b$');
  assert.equal(expandVars('$$$$', l), '$$');
});

test('env: envFrom with prefix, valueFrom kinds, $(VAR) in env and command', async () => {
  const c: Container = {
    name: 'app',
    image: 'busybox',
    command: ['sh', '-c', 'echo $(GREETING) $(CFG_A)'],
    args: ['$(POD_IP)', '$$(POD_IP)'],
    envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'sec' } }],
    resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } },
    env: [
      { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'CPU_LIMIT_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
      { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'A_FROM_CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'A' } } },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 'sec', key: 'PASSWORD' } } },
      { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'nope', key: 'x', optional: true } } },
      { name: 'GREETING', value: 'hi-$(NAME)-$(UNDEFINED)' },
      { name: 'CFG_A', value: 'override' },
    ],
  };
  const r = await resolveEnv({ pod: pod(c), container: c, objects, facts, allocatable });
  const env = Object.fromEntries(r.envs.map((e) => [e.key, e.value]));
  assert.equal(env['CFG_A'], 'override');
  assert.equal(env['CFG_B'], 'beta');
  assert.equal(env['CFG_bad=key'], undefined);
  assert.equal(env['PASSWORD'], 's3cret');
  assert.deepEqual([env['NAME'], env['NS'], env['UID'], env['APP'], env['NODE'], env['SA']], ['web', 'ns1', 'u-1', 'web', 'n1', 'sa']);
  assert.deepEqual([env['POD_IP'], env['HOST_IP']], ['10.0.0.5', '192.0.2.1']);
  assert.deepEqual([env['CPU_LIMIT_M'], env['CPU_LIMIT'], env['MEM_MI'], env['CPU_REQ_M']], ['500', '1', '128', '250']);
  assert.equal(env['A_FROM_CM'], 'alpha');
  assert.equal(env['PW'], 's3cret');
  assert.equal('OPT' in env, false);
  assert.equal(env['GREETING'], 'hi-web-$(UNDEFINED)');
  assert.deepEqual(r.command, ['sh', '-c', 'echo hi-web-$(UNDEFINED) override']);
  assert.deepEqual(r.args, ['10.0.0.5', '$(POD_IP)']);
  // the override keeps the later position
  assert.equal(r.envs.at(-1)?.key, 'CFG_A');
});

test('env: limits fall back to node allocatable', async () => {
  const c: Container = { name: 'a', env: [{ name: 'M', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } }] };
  const r = await resolveEnv({ pod: pod(c), container: c, objects, facts, allocatable });
  assert.equal(r.envs[0]?.value, '7000');
});

test('env: a missing ConfigMap or key is a config error; optional ones are skipped', async () => {
  const missing: Container = { name: 'a', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] };
  await assert.rejects(
    resolveEnv({ pod: pod(missing), container: missing, objects, facts, allocatable }),
    (e: unknown) => e instanceof ContainerConfigError && e.message === 'configmap "nope" not found',
  );
  const badKey: Container = { name: 'a', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'nokey' } } }] };
  await assert.rejects(
    resolveEnv({ pod: pod(badKey), container: badKey, objects, facts, allocatable }),
    /couldn't find key nokey in Secret ns1\/sec/,
  );
  const optFrom: Container = { name: 'a', envFrom: [{ secretRef: { name: 'gone', optional: true } }] };
  assert.deepEqual((await resolveEnv({ pod: pod(optFrom), container: optFrom, objects, facts, allocatable })).envs, []);
});
