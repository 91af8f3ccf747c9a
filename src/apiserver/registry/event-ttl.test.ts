import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allKinds } from '../../api/kinds/index.js';
import { createMemoryBackend } from '../../storage/memory/memory-backend.js';
import { startEventTtl } from './event-ttl.js';
import { objectKey } from './keys.js';

const eventKinds = allKinds.filter((k) => k.kind === 'Event');
const coreEvent = eventKinds.find((k) => k.group === '')!;
const newEvent = eventKinds.find((k) => k.group === 'events.k8s.io')!;
const podKind = allKinds.find((k) => k.kind === 'Pod' && k.group === '')!;

test('events go a TTL after their last write; newer writes, other kinds and both Event groups are handled', async () => {
  const backend = createMemoryBackend();
  let t = 1_000_000;
  const ttl = startEventTtl({ backend, kinds: eventKinds, ttlMs: 1000, intervalMs: 3_600_000, now: () => t });
  try {
    await ttl.sweep(); // sample at t0
    const old = objectKey(coreEvent, 'default', 'old.1');
    const touched = objectKey(coreEvent, 'default', 'touched.1');
    const oldNew = objectKey(newEvent, 'kube-system', 'old.2');
    const pod = objectKey(podKind, 'default', 'p');
    await backend.create(old, '{}');
    const kvTouched = await backend.create(touched, '{}');
    await backend.create(oldNew, '{}');
    await backend.create(pod, '{}');
    t += 500;
    assert.equal(await ttl.sweep(), 0, 'nothing is a TTL old yet');
    // samples so far: t0 (before the writes) and t0+500 (after them); then `touched` is written
    // again, and a sample at t0+700 comes after that write
    await backend.update(touched, '{"count":2}', kvTouched.modRevision);
    t += 200;
    await ttl.sweep();
    t += 900; // t0+1600: the t0+500 sample is a TTL old, the t0+700 one is not
    assert.equal(await ttl.sweep(), 2);
    assert.equal(await backend.get(old), undefined);
    assert.equal(await backend.get(oldNew), undefined);
    assert.ok(await backend.get(touched), 'written after the bounding sample: kept');
    assert.ok(await backend.get(pod), 'not an Event: kept');
    t += 1000;
    assert.equal(await ttl.sweep(), 1);
    assert.equal(await backend.get(touched), undefined);
  } finally {
    await ttl.stop();
    await backend.close();
  }
});

test('expired events are deleted only at the revision they had: a concurrent write keeps them', async () => {
  const backend = createMemoryBackend();
  let t = 0;
  const ttl = startEventTtl({ backend, kinds: eventKinds, ttlMs: 10, intervalMs: 3_600_000, now: () => t });
  try {
    const key = objectKey(coreEvent, 'default', 'e.1');
    const kv = await backend.create(key, '{}');
    await ttl.sweep();
    t += 20;
    // the sweep lists, then deletes with the revision it saw: write in between by racing the sweep
    const sweeping = ttl.sweep();
    await backend.update(key, '{"count":2}', kv.modRevision).catch(() => undefined);
    await sweeping;
    const now = await backend.get(key);
    // either the delete ran first (gone) or the update did (kept, newer): never the update lost
    if (now) assert.equal(now.value, '{"count":2}');
  } finally {
    await ttl.stop();
    await backend.close();
  }
});
