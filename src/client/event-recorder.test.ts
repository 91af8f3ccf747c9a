import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, ReplicaSet } from '../api/gen/types.js';
import { createEventRecorder } from './event-recorder.js';
import type { RestClient } from './rest-client.js';

/** A client that records the Event creates and patches the recorder sends. */
function fakeClient() {
  const created: Event[] = [];
  const patched: { name: string; body: unknown }[] = [];
  const events = {
    create: (ev: Event) => {
      created.push(ev);
      return Promise.resolve(ev);
    },
    namespace: () => ({
      patch: (name: string, body: unknown) => {
        patched.push({ name, body });
        return Promise.resolve({});
      },
    }),
  };
  const client = { resource: () => events } as unknown as RestClient;
  return { client, created, patched };
}

const rs = (name: string): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, namespace: 'ns', uid: `uid-${name}` },
});

test('the spam filter: 25 events about one object, then one per 5 minutes; other objects unaffected', async () => {
  const { client, created } = fakeClient();
  let t = 1_000_000;
  const rec = createEventRecorder(client, 'replicaset-controller', { now: () => t });
  const big = rs('big');
  for (let i = 0; i < 100; i++) rec.event(big, 'Normal', 'SuccessfulCreate', `Created pod: big-${i}`);
  await rec.flush();
  assert.equal(created.length, 25);
  assert.equal(created[24]?.message, 'Created pod: big-24');
  rec.event(rs('other'), 'Normal', 'SuccessfulCreate', 'Created pod: other-0');
  await rec.flush();
  assert.equal(created.length, 26);
  t += 299_000; // not yet a whole token back
  rec.event(big, 'Warning', 'FailedCreate', 'quota');
  await rec.flush();
  assert.equal(created.length, 26);
  t += 2_000;
  rec.event(big, 'Warning', 'FailedCreate', 'quota');
  await rec.flush();
  assert.equal(created.length, 27);
  assert.equal(created[26]?.reason, 'FailedCreate');
});

test('repeated identical events are still folded into one Event whose count goes up', async () => {
  const { client, created, patched } = fakeClient();
  const rec = createEventRecorder(client, 'kubelet', { now: () => 5_000 });
  for (let i = 0; i < 3; i++) rec.event(rs('a'), 'Warning', 'BackOff', 'Back-off restarting failed container');
  await rec.flush();
  assert.equal(created.length, 1);
  assert.deepEqual(
    patched.map((p) => (p.body as { count: number }).count),
    [2, 3],
  );
});
