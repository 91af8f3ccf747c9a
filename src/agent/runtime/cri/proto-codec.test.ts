import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { criProtoPath } from './cri-client.js';
import { decodeMessage, encodeMessage, ProtoCodecError } from './proto-codec.js';
import { parseProto, type MessageDescriptor, type ProtoFile } from './proto-parse.js';

const file = parseProto(`
syntax = "proto3";
package t;
enum Kind { K0 = 0; K1 = 1; K2 = 2; }
message Inner { int32 x = 1; string s = 2; }
message All {
  string str = 1;
  bool flag = 2;
  int32 i32 = 3;
  repeated int32 r32 = 4;
  int64 i64 = 5;
  repeated int64 r64 = 6;
  map<string, string> labels = 7;
  Inner inner = 8;
  Kind kind = 9;
  repeated Kind kinds = 10;
  uint64 u64 = 11;
  bytes data = 12;
  repeated string names = 13;
  repeated Inner inners = 14;
  uint32 u32 = 15;
}
`);
const msg = (f: ProtoFile, name: string): MessageDescriptor => {
  const m = f.messages.get(name);
  assert.ok(m, name);
  return m;
};
const All = msg(file, 't.All');
const hex = (b: Buffer) => b.toString('hex');
const enc = (v: object) => hex(encodeMessage(All, v));

test('known byte vectors', () => {
  assert.equal(enc({ str: 'v1' }), '0a027631');
  assert.equal(enc({ flag: true }), '1001');
  assert.equal(enc({ i64: -1 }), '28ffffffffffffffffff01');
  assert.equal(enc({ i64: -2 }), '28feffffffffffffffff01');
  assert.equal(enc({ i32: -1 }), '18ffffffffffffffffff01');
  assert.equal(enc({ i64: 300 }), '28ac02');
  assert.equal(enc({ i64: 2 ** 40 }), '28808080808020');
  assert.equal(enc({ u64: 2 ** 53 - 1 }), '58ffffffffffffff0f');
  assert.equal(enc({ r32: [1, 150, -1] }), '220d019601ffffffffffffffffff01');
  assert.equal(enc({ r64: [3, 300] }), '320303ac02');
  assert.equal(enc({ labels: { a: 'b' } }), '3a060a0161120162');
  assert.equal(enc({ inner: { x: 150 } }), '4203089601');
  assert.equal(enc({ inner: {} }), '4200'); // present but empty sub-message is written
  assert.equal(enc({ kind: 'K1' }), '4801');
  assert.equal(enc({ kind: 2 }), '4802');
  assert.equal(enc({ kinds: ['K2', 'K0'] }), '52020200');
  assert.equal(enc({ names: ['a', ''] }), '6a01616a00');
  assert.equal(enc({ data: Buffer.from([1, 2]) }), '62020102');
  assert.equal(enc({ u32: 4294967295 }), '78ffffffff0f');
});

test('proto3 defaults and omitted fields are not written; unknown object keys are ignored', () => {
  assert.equal(enc({}), '');
  assert.equal(
    enc({ str: '', flag: false, i32: 0, i64: 0, kind: 'K0', r32: [], labels: {}, inner: null, data: Buffer.alloc(0), extra: 5 }),
    '',
  );
});

test('decoding fills defaults: null sub-message, [], {}, empty string, 0, false, enum name of 0, empty Buffer', () => {
  const d = decodeMessage(All, Buffer.alloc(0));
  assert.deepEqual(d, {
    str: '',
    flag: false,
    i32: 0,
    r32: [],
    i64: 0,
    r64: [],
    labels: {},
    inner: null,
    kind: 'K0',
    kinds: [],
    u64: 0,
    data: Buffer.alloc(0),
    names: [],
    inners: [],
    u32: 0,
  });
  assert.ok(Buffer.isBuffer(d.data));
  assert.deepEqual(decodeMessage(msg(file, 't.Inner'), Buffer.from('0801', 'hex')), { x: 1, s: '' });
});

test('round trip of every kind of field', () => {
  const v = {
    str: 'héllo',
    flag: true,
    i32: -7,
    r32: [0, -1, 2 ** 31 - 1],
    i64: -998,
    r64: [-1, 2 ** 53 - 1, 0],
    labels: { a: 'b', 'c.d/e': '' },
    inner: { x: 3, s: 'in' },
    kind: 'K2',
    kinds: ['K1', 'K0'],
    u64: 2 ** 52 + 1,
    data: Buffer.from('xyz'),
    names: ['p', 'q'],
    inners: [
      { x: 1, s: '' },
      { x: 0, s: 'b' },
    ],
    u32: 3_000_000_000,
  };
  assert.deepEqual(decodeMessage(All, encodeMessage(All, v)), v);
});

test('unknown fields of every wire type are skipped; unknown enum numbers decode as numbers', () => {
  // field 20 varint, field 21 fixed64, field 22 length-delimited, field 23 fixed32, between known fields
  const b = Buffer.from('a0019601' + '0a027631' + 'a9010102030405060708' + 'b20103616263' + 'bd0101020304' + '4807' + '1001', 'hex');
  const d = decodeMessage(All, b);
  assert.equal(d.str, 'v1');
  assert.equal(d.flag, true);
  assert.equal(d.kind, 7);
  assert.equal(d.i64, 0);
});

test('repeated numeric fields decode packed and unpacked; a repeated singular message merges', () => {
  const d = decodeMessage(All, Buffer.from('2001' + '2002' + '22020304' + '42020801' + '4203120178', 'hex'));
  assert.deepEqual(d.r32, [1, 2, 3, 4]);
  assert.deepEqual(d.inner, { x: 1, s: 'x' });
});

test('64-bit integers decode as numbers, negatives included', () => {
  assert.equal(decodeMessage(All, Buffer.from('28ffffffffffffffffff01', 'hex')).i64, -1);
  assert.equal(decodeMessage(All, Buffer.from('28feffffffffffffffff01', 'hex')).i64, -2);
  assert.equal(decodeMessage(All, Buffer.from('28808080808020', 'hex')).i64, 2 ** 40);
  assert.equal(decodeMessage(All, Buffer.from('58ffffffffffffff0f', 'hex')).u64, 2 ** 53 - 1);
  assert.equal(decodeMessage(All, Buffer.from('18ffffffffffffffffff01', 'hex')).i32, -1);
});

test('bad input is a ProtoCodecError', () => {
  assert.throws(() => encodeMessage(All, { kind: 'NOPE' }), ProtoCodecError);
  assert.throws(() => encodeMessage(All, { r32: 5 }), ProtoCodecError);
  assert.throws(() => encodeMessage(All, { i64: 'abc' }), ProtoCodecError);
  assert.throws(() => encodeMessage(All, { inner: 'x' }), ProtoCodecError);
  assert.throws(() => decodeMessage(All, Buffer.from('0a05ab', 'hex')), ProtoCodecError);
  assert.throws(() => decodeMessage(All, Buffer.from('28ff', 'hex')), ProtoCodecError);
});

test('CRI messages: negative int64 resources, nested configs and response shapes', () => {
  const cri = parseProto(readFileSync(criProtoPath(), 'utf8'));
  const req = msg(cri, 'runtime.v1.UpdateContainerResourcesRequest');
  const bytes = encodeMessage(req, { container_id: 'c', linux: { cpu_quota: -1, oom_score_adj: -998, unified: { 'memory.high': 'max' } } });
  // linux (field 2) holds cpu_quota (2) = -1 as ten bytes and oom_score_adj (5) = -998
  assert.match(hex(bytes), /^0a0163/);
  assert.ok(hex(bytes).includes('10ffffffffffffffffff01'));
  assert.ok(hex(bytes).includes('28 9a f8 ff ff ff ff ff ff ff 01'.replace(/ /g, '')));
  const back = decodeMessage(req, bytes);
  const linux = back.linux as Record<string, unknown>;
  assert.equal(linux.cpu_quota, -1);
  assert.equal(linux.oom_score_adj, -998);
  assert.deepEqual(linux.unified, { 'memory.high': 'max' });
  assert.equal(linux.cpuset_cpus, '');

  const status = decodeMessage(
    msg(cri, 'runtime.v1.ContainerStatusResponse'),
    encodeMessage(msg(cri, 'runtime.v1.ContainerStatusResponse'), {
      status: { id: 'abc', state: 'CONTAINER_EXITED', exit_code: 137, finished_at: 1_700_000_000_123_456_000 },
    }),
  );
  const s = status.status as Record<string, unknown>;
  assert.equal(s.state, 'CONTAINER_EXITED');
  assert.equal(s.exit_code, 137);
  assert.equal(s.finished_at, 1_700_000_000_123_456_000);
  assert.equal(s.metadata, null);
  assert.equal(s.image, null);
  assert.deepEqual(s.labels, {});
  assert.deepEqual(status.info, {});
  const empty = decodeMessage(msg(cri, 'runtime.v1.ContainerStatusResponse'), Buffer.alloc(0));
  assert.deepEqual(empty, { status: null, info: {} });
  const sb = decodeMessage(msg(cri, 'runtime.v1.PodSandbox'), Buffer.alloc(0));
  assert.equal(sb.state, 'SANDBOX_READY');
});
