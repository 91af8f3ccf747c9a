import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoReader } from './reader.js';
import { isStatusError } from '../../base/errors.js';
import { pw } from './testing/proto-writer.js';

const reader = (w: ReturnType<typeof pw>) => new ProtoReader(w.finish());

test('varints: int32 and int64 including negatives and 10-byte encodings', () => {
  const r = reader(
    pw()
      .varint(300)
      .varint(-1)
      .varint(-62135596800)
      .varint(2 ** 53 - 1)
      .varint(2147483647)
      .varint(-2147483648),
  );
  assert.equal(r.int32(), 300);
  assert.equal(r.int32(), -1);
  assert.equal(r.int64(), -62135596800);
  assert.equal(r.int64(), 2 ** 53 - 1);
  assert.equal(r.int32(), 2147483647);
  assert.equal(r.int32(), -2147483648);
  assert.ok(r.done);
});

test('tags, bytes, sub-readers, double and skipping', () => {
  const r = reader(pw().string(3, 'hi').double(4, 1.5).int(5, 1).tag(6, 5).raw([0, 0, 0, 0]).message(7, pw().bool(1, true)));
  assert.deepEqual(r.tag(), { field: 3, wire: 2 });
  assert.equal(new TextDecoder().decode(r.bytes()), 'hi');
  assert.deepEqual(r.tag(), { field: 4, wire: 1 });
  assert.equal(r.double(), 1.5);
  assert.deepEqual(r.tag(), { field: 5, wire: 0 });
  r.skip(0);
  assert.deepEqual(r.tag(), { field: 6, wire: 5 });
  r.skip(5);
  assert.deepEqual(r.tag(), { field: 7, wire: 2 });
  const sub = r.sub();
  assert.deepEqual(sub.tag(), { field: 1, wire: 0 });
  assert.equal(sub.bool(), true);
  assert.ok(sub.done && r.done);
});

test('bounds: truncated varints, lengths past the end, sub-readers cannot read past their end', () => {
  const is400 = (e: unknown) => isStatusError(e) && e.code === 400;
  assert.throws(() => new ProtoReader(Uint8Array.of(0x80, 0x80)).uint(), is400);
  assert.throws(() => new ProtoReader(Uint8Array.of(0x05, 1, 2)).bytes(), is400);
  assert.throws(() => new ProtoReader(Uint8Array.of(1, 2, 3)).double(), is400);
  assert.throws(() => new ProtoReader(new Uint8Array(11).fill(0xff)).int64(), is400);
  assert.throws(() => reader(pw().varint(2n ** 63n)).int64(), is400);
  const outer = new ProtoReader(Uint8Array.of(0x02, 0x08, 0x96, 0x01));
  const sub = outer.sub();
  assert.deepEqual(sub.tag(), { field: 1, wire: 0 });
  assert.throws(() => sub.uint(), is400); // 0x96 lies outside the sub-message
});
