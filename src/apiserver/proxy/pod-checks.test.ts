import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyObject } from '../../api/object.js';
import { checkStreamable, chooseContainer } from './pod-checks.js';
import { rewriteHead } from './upgrade-proxy.js';
import { agentEndpoint } from './agent-client.js';
import { cpuQuantity, memoryQuantity } from './metrics-api.js';
import type { IncomingMessage } from 'node:http';

const pod = (phase: string, containers: string[], statuses: Record<string, unknown>[] = []): AnyObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: containers.map((name) => ({ name })) },
    status: { phase, containerStatuses: statuses },
  }) as AnyObject;

test('container choice', () => {
  assert.equal(chooseContainer(pod('Running', ['a']), null), 'a');
  assert.throws(
    () => chooseContainer(pod('Running', ['a', 'b']), null),
    /a container name must be specified for pod p, choose one of: \[a b\]/,
  );
  assert.throws(() => chooseContainer(pod('Running', ['a']), 'x'), /container x is not valid for pod p/);
});

test('phase and container state checks use upstream messages', () => {
  assert.throws(
    () => checkStreamable(pod('Succeeded', ['a']), 'exec', 'a', false),
    /cannot exec into a container in a completed pod; current phase is Succeeded/,
  );
  assert.throws(
    () => checkStreamable(pod('Failed', ['a']), 'attach', 'a', false),
    /cannot attach a container in a completed pod; current phase is Failed/,
  );
  assert.throws(
    () => checkStreamable(pod('Pending', ['a']), 'portforward', undefined, false),
    /unable to forward port because pod is not running. Current status=Pending/,
  );
  const waiting = pod('Pending', ['a'], [{ name: 'a', state: { waiting: { reason: 'ImagePullBackOff' } } }]);
  assert.throws(() => checkStreamable(waiting, 'log', 'a', false), /container "a" in pod "p" is waiting to start: ImagePullBackOff/);
  assert.doesNotThrow(() => checkStreamable(waiting, 'log', 'a', true));
  assert.doesNotThrow(() => checkStreamable(pod('Running', ['a'], [{ name: 'a', state: { running: {} } }]), 'exec', 'a', false));
  assert.doesNotThrow(() => checkStreamable(pod('Succeeded', ['a'], [{ name: 'a', state: { terminated: {} } }]), 'log', 'a', false));
});

test("the replayed request head swaps path and host, drops the caller's credentials and keeps the upgrade headers", () => {
  const req = {
    method: 'GET',
    rawHeaders: [
      'Host',
      'api:6443',
      'Authorization',
      'Bearer user',
      'Impersonate-Extra-Scopes',
      'x',
      'Upgrade',
      'websocket',
      'Sec-WebSocket-Protocol',
      'v5.channel.k8s.io',
    ],
  } as unknown as IncomingMessage;
  const head = rewriteHead(req, '/exec/default/p/a?command=ls', '10.0.0.1:10250');
  assert.equal(
    head,
    'GET /exec/default/p/a?command=ls HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\nHost: 10.0.0.1:10250\r\n\r\n',
  );
});

test('agent endpoint from Node status', () => {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n' },
    status: {
      addresses: [
        { type: 'Hostname', address: 'h' },
        { type: 'InternalIP', address: '10.1.2.3' },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  } as AnyObject;
  assert.deepEqual(agentEndpoint(node), { node: 'n', host: '10.1.2.3', port: 10250 });
  assert.equal(agentEndpoint({ ...node, status: {} } as AnyObject), undefined);
});

test('metrics quantities', () => {
  assert.equal(cpuQuantity(1234567.4), '1234567n');
  assert.equal(memoryQuantity(20 * 1024 * 1024), '20480Ki');
  assert.equal(cpuQuantity(undefined), '0n');
});
