import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitCodeOf, exitStatus, frame, parseResize, pickProtocol, portPrefix, unframe, V4, V5 } from './channel.js';

test('frame and unframe put the channel byte first', () => {
  const f = frame(2, 'err');
  assert.deepEqual([...f], [2, 101, 114, 114]);
  const u = unframe(f);
  assert.equal(u?.channel, 2);
  assert.equal(u?.data.toString(), 'err');
  assert.equal(unframe(Buffer.alloc(0)), undefined);
  assert.deepEqual([...frame(255, Buffer.from([0]))], [255, 0]);
});

test('exit statuses round-trip through exitCodeOf', () => {
  assert.deepEqual(exitStatus(0), { metadata: {}, status: 'Success' });
  const s = exitStatus(3);
  assert.equal(s['reason'], 'NonZeroExitCode');
  assert.equal(exitCodeOf(s), 3);
  assert.equal(exitCodeOf({ status: 'Success' }), 0);
  assert.equal(exitCodeOf({ status: 'Failure', reason: 'InternalError' }), undefined);
});

test('protocol choice prefers v5, accepts v4, refuses others', () => {
  assert.equal(pickProtocol(['v4.channel.k8s.io', 'v5.channel.k8s.io'], [V5, V4]), V5);
  assert.equal(pickProtocol([' v4.channel.k8s.io'], [V5, V4]), V4);
  assert.equal(pickProtocol(['channel.k8s.io'], [V5, V4]), undefined);
});

test('port prefix is uint16 little-endian after the channel', () => {
  assert.deepEqual([...portPrefix(1, 8080)], [1, 0x90, 0x1f]);
});

test('resize messages', () => {
  assert.deepEqual(parseResize(Buffer.from('{"Width":80,"Height":24}')), { width: 80, height: 24 });
  assert.equal(parseResize(Buffer.from('nope')), undefined);
});
