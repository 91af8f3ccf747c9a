// Sessions and one-time codes: single use, expiry, idle time restarted by use, logout.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../base/testing/manual-clock.js';
import { LoginCodes, Sessions } from './sessions.js';

const cred = { token: 't0ken', user: 'admin', groups: ['system:masters'] };

test('a login code works once', () => {
  const codes = new LoginCodes(60_000, createManualClock(1000));
  const { code, expiresAt } = codes.create(cred);
  assert.equal(expiresAt, 61_000);
  assert.match(code, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
  assert.deepEqual(codes.take(code), cred);
  assert.equal(codes.take(code), 'unknown');
  assert.equal(codes.take(''), 'unknown');
  assert.equal(codes.take(null), 'unknown');
});

test('a login code past its lifetime is refused as expired, and is gone', () => {
  const clock = createManualClock(0);
  const codes = new LoginCodes(60_000, clock);
  const a = codes.create(cred).code;
  const b = codes.create(cred).code;
  clock.advance(59_999);
  assert.deepEqual(codes.take(a), cred);
  clock.advance(1);
  assert.equal(codes.take(b), 'expired');
  assert.equal(codes.take(b), 'unknown');
});

test('sessions: idle expiry restarts on use; logout ends one', () => {
  const clock = createManualClock(0);
  const s = new Sessions(1000, clock);
  const id = s.create(cred);
  const other = s.create({ token: 'x', user: 'bob', groups: [] });
  assert.notEqual(id, other);
  clock.advance(900);
  assert.deepEqual(s.use(id), cred);
  clock.advance(900); // 1800 since creation, 900 since use
  assert.deepEqual(s.use(id), cred);
  assert.equal(s.use(other), undefined, 'idle 1800 ms > 1000');
  assert.equal(s.end(id), true);
  assert.equal(s.use(id), undefined);
  assert.equal(s.use(undefined), undefined);
  assert.equal(s.use('made-up'), undefined);
});

test('expired sessions are swept when new ones are made', () => {
  const clock = createManualClock(0);
  const s = new Sessions(1000, clock);
  s.create(cred);
  s.create(cred);
  clock.advance(1000);
  s.create(cred);
  assert.equal(s.size, 1);
});
