import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createByteLimit, createCriLogParser, formatTimestamp, parseCriLine } from './cri-log.js';

test('parseCriLine reads time, stream, tag and message', () => {
  const r = parseCriLine(Buffer.from('2026-11-26T02:59:35.015767799Z stdout F tick 1'));
  assert.deepEqual(r && { ...r, msg: r.msg.toString() }, {
    time: '2026-11-26T02:59:35.015767799Z',
    stream: 'stdout',
    partial: false,
    msg: 'tick 1',
  });
  assert.equal(parseCriLine(Buffer.from('garbage'))?.msg, undefined);
  assert.equal(parseCriLine(Buffer.from('t stdlog F x')), undefined);
  const empty = parseCriLine(Buffer.from('2026-11-26T02:59:35Z stderr F'));
  assert.equal(empty?.msg.length, 0);
  assert.equal(empty?.stream, 'stderr');
});

test('parser joins partial records per stream and keeps incomplete lines for the next chunk', () => {
  const p = createCriLogParser();
  const a = p.push(Buffer.from('2026-01-01T00:00:01.000000000Z stdout P hel'));
  assert.equal(a.length, 0);
  const b = p.push(Buffer.from('\n2026-01-01T00:00:02Z stderr F err\n2026-01-01T00:00:03Z stdout F lo\n2026-01-01T00:00:04Z stdout F x'));
  assert.deepEqual(
    b.map((e) => [e.time, e.stream, e.msg.toString()]),
    [
      ['2026-01-01T00:00:02Z', 'stderr', 'err\n'],
      ['2026-01-01T00:00:01.000000000Z', 'stdout', 'hello\n'],
    ],
  );
  const c = p.push(Buffer.from('yz\n'));
  assert.equal(c[0]?.msg.toString(), 'xyz\n');
  assert.equal(c[0]?.timeMs, Date.parse('2026-01-01T00:00:04Z'));
});

test('formatTimestamp trims trailing zeros like RFC3339Nano', () => {
  assert.equal(formatTimestamp('2026-01-01T00:00:01.120000000Z'), '2026-01-01T00:00:01.12Z');
  assert.equal(formatTimestamp('2026-01-01T00:00:01.000000000Z'), '2026-01-01T00:00:01Z');
  assert.equal(formatTimestamp('2026-01-01T00:00:01.015767799Z'), '2026-01-01T00:00:01.015767799Z');
  assert.equal(formatTimestamp('2026-01-01T00:00:01.500000000+02:00'), '2026-01-01T00:00:01.5+02:00');
});

test('byte limit cuts exactly', () => {
  const l = createByteLimit(5);
  assert.equal(l.take(Buffer.from('abc')).toString(), 'abc');
  assert.equal(l.exhausted, false);
  assert.equal(l.take(Buffer.from('defg')).toString(), 'de');
  assert.equal(l.exhausted, true);
});
