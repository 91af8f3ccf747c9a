// The fault policies with the errors the etcd3 client really throws (its own classes, made from
// gRPC status codes): an unreachable member's call moves on, a full database's does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { castGrpcError } from 'etcd3';
import { memberPolicy, retryPolicy } from './etcd-fault-policy.js';

const grpcError = (code: number, message: string) => castGrpcError(Object.assign(new Error(message), { code }));

test('an unreachable member (UNAVAILABLE) is retried on the next member; a full database is not', async () => {
  let calls = 0;
  const r = await retryPolicy(3).execute(() => {
    calls++;
    if (calls === 1) throw grpcError(14, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1');
    return 'ok';
  });
  assert.equal(r, 'ok');
  assert.equal(calls, 2);
  calls = 0;
  await assert.rejects(
    retryPolicy(3).execute(() => {
      calls++;
      throw grpcError(8, 'etcdserver: mvcc: database space exceeded');
    }),
    /database space exceeded/,
  );
  assert.equal(calls, 1);
});

test('a member that failed three times in a row is skipped, then tried again', async () => {
  const p = memberPolicy('127.0.0.1:1', 50);
  const down = () => {
    throw grpcError(14, 'No connection established');
  };
  for (let i = 0; i < 3; i++) await assert.rejects(p.execute(down));
  let tried = false;
  await assert.rejects(
    p.execute(() => ((tried = true), 'ok')),
    /skipped/,
  );
  assert.equal(tried, false);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(await p.execute(() => 'back'), 'back');
});
