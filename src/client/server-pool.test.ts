// The pool's order of servers (current sticks, failed ones back off) and the retry rules' table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServerPool, isServerFailureAnswer, mayRetryElsewhere, normalizeServer, parseServerList } from './server-pool.js';

const A = 'https://10.0.0.1:6443';
const B = 'https://10.0.0.2:6443';
const C = 'https://10.0.0.3:6443';

test('the current server sticks until it fails; a failed one backs off, doubling', () => {
  let now = 0;
  const switches: string[] = [];
  const pool = createServerPool({ servers: [A, B, C], now: () => now, onSwitch: (f, t) => switches.push(`${f}>${t}`) });
  assert.equal(pool.current(), A);
  assert.deepEqual(pool.candidates(), [A, B, C]);
  pool.succeeded(B); // a success elsewhere does not move a healthy current server
  assert.equal(pool.current(), A);
  pool.failed(A, 'refused');
  assert.equal(pool.current(), B);
  assert.deepEqual(pool.candidates(), [B, C, A], 'A is tried last while it backs off');
  now = 1001; // A's first back-off (1 s) is over: B stays current, A is a candidate again after C
  assert.equal(pool.current(), B);
  assert.deepEqual(pool.candidates(), [B, C, A]);
  pool.failed(A, 'refused again'); // second failure in a row: 2 s
  now += 1500;
  pool.failed(B, 'reset');
  assert.equal(pool.current(), C, 'C is healthy; A is still backing off');
  pool.failed(C, 'reset');
  // everyone backs off: the current stays, and every server is still tried, soonest back first
  assert.equal(pool.current(), C);
  assert.deepEqual(pool.candidates(), [C, A, B]);
  pool.succeeded(A);
  assert.equal(pool.current(), A, 'a server that answered while the current one backs off becomes current');
  assert.deepEqual(switches, [`${A}>${B}`, `${B}>${C}`, `${C}>${A}`]);
});

test('discovered servers come after the configured ones, which always stay', () => {
  const pool = createServerPool({ servers: [A] });
  pool.setDiscovered([B, `${A}/`, 'https://10.0.0.3:6443/']);
  assert.deepEqual(pool.servers(), [A, B, C]);
  pool.failed(A, 'x');
  assert.equal(pool.current(), B);
  pool.setDiscovered([C]); // B left the Endpoints: back to the first configured server
  assert.deepEqual(pool.servers(), [A, C]);
  assert.equal(pool.current(), A);
});

test('server lists: flags repeated or comma-separated; bad URLs named', () => {
  assert.deepEqual(parseServerList([`${A},${B}`, ` ${C} `, A, '']), [A, B, C]);
  assert.equal(normalizeServer('https://[fd00::1]:6443/'), 'https://[fd00::1]:6443');
  assert.throws(() => parseServerList(['10.0.0.1:6443']), /"10.0.0.1:6443" is not a URL|only https/);
  assert.throws(() => parseServerList(['http://10.0.0.1:6443']), /only https/);
  assert.throws(() => createServerPool({ servers: [] }), /at least one API server/);
});

test('retry rules: reads always go elsewhere; writes only when nothing was sent', () => {
  for (const m of ['GET', 'get', 'HEAD']) {
    assert.equal(mayRetryElsewhere(m, 'unsent'), true);
    assert.equal(mayRetryElsewhere(m, 'broken'), true);
    assert.equal(mayRetryElsewhere(m, 'bad-answer'), true);
  }
  for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    assert.equal(mayRetryElsewhere(m, 'unsent'), true, `${m} never reached a server`);
    assert.equal(mayRetryElsewhere(m, 'broken'), false, `${m} may have been applied`);
    assert.equal(mayRetryElsewhere(m, 'bad-answer'), false, `${m} may have been applied`);
  }
});

test('a 5xx is a failed server only without a Status body', () => {
  const status = JSON.stringify({ kind: 'Status', apiVersion: 'v1', code: 503, reason: 'ServiceUnavailable' });
  assert.equal(isServerFailureAnswer(503, status), false, 'the API server meant it (e.g. no agent to stream from)');
  assert.equal(isServerFailureAnswer(500, status.replace('503', '500')), false);
  assert.equal(isServerFailureAnswer(502, 'Bad Gateway'), true);
  assert.equal(isServerFailureAnswer(503, ''), true);
  assert.equal(isServerFailureAnswer(500, '{"kind":"Pod"}'), true);
  assert.equal(isServerFailureAnswer(404, 'nope'), false);
  assert.equal(isServerFailureAnswer(429, 'slow down'), false);
});
