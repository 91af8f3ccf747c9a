import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordListSize, seatsFor } from './work-estimate.js';
import { LevelQueues } from './fair-queue.js';
import { parseRequestInfo } from '../http/request-info.js';

const seats = (path: string, query = '') => {
  const q = new URLSearchParams(query);
  return seatsFor(parseRequestInfo('GET', path, q), q);
};

test('a LIST takes one seat per 100 objects it reads, at most 10; other requests one', () => {
  assert.equal(seats('/api/v1/secrets'), 1, 'never listed: small');
  recordListSize('', 'secrets', 50_000);
  assert.equal(seats('/api/v1/secrets'), 10);
  assert.equal(seats('/api/v1/secrets', 'limit=250'), 3, 'a limit without a selector reads that many');
  assert.equal(seats('/api/v1/secrets', 'limit=250&labelSelector=a%3Db'), 10, 'a selector reads them all');
  assert.equal(seats('/api/v1/namespaces/x/secrets/s'), 1);
  recordListSize('', 'secrets', 42);
  assert.equal(seats('/api/v1/secrets'), 1);
});

test('a wide request waits until enough seats are free, and holds them all', async () => {
  const lv = new LevelQueues({ seats: 10, queues: 4, handSize: 1, queueLengthLimit: 10, waitLimitMs: 5_000 });
  const small = lv.enter('f/a', 1);
  await small.ready;
  const wide = lv.enter('f/b', 10);
  let ran = false;
  void wide.ready.then(() => (ran = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(ran, false);
  small.done();
  await new Promise((r) => setImmediate(r));
  assert.equal(ran, true);
  assert.deepEqual(lv.stats(), { executing: 10, waiting: 0 });
  const wider = lv.enter('f/c', 50);
  wide.done();
  await wider.ready; // capped at the level's seats
  assert.deepEqual(lv.stats(), { executing: 10, waiting: 0 });
  wider.done();
});
