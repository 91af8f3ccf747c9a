// proto3 binary encoding and decoding driven by the descriptors of proto-parse.ts, giving the object
// shapes of the proto-loader options { keepCase, longs: Number, enums: String, defaults, oneofs }:
// snake_case names, every scalar present with its default, [] / {} / null for absent repeated,
// map and message fields, 64-bit integers as numbers, enums as names and bytes as Buffers.
import type { EnumDescriptor, FieldDescriptor, MessageDescriptor, ScalarType, ValueType } from './proto-parse.js';

export class ProtoCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoCodecError';
  }
}

const TWO32 = 4294967296;

// ---- encoding ----

/** Output as a list of chunks; a sub-message's length is the sum of its chunks' lengths. */
class Parts {
  readonly list: Buffer[] = [];
  size = 0;
  push(b: Buffer) {
    this.list.push(b);
    this.size += b.length;
  }
}

function varintBytes(lo: number, hi: number): Buffer {
  const out: number[] = [];
  while (hi !== 0 || lo > 0x7f) {
    out.push((lo & 0x7f) | 0x80);
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  out.push(lo);
  return Buffer.from(out);
}

/** lo/hi 32-bit halves of a 64-bit two's complement integer. */
function split64(v: number | bigint): [number, number] {
  const b = BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(v));
  return [Number(b & 0xffffffffn), Number(b >> 32n)];
}

function toInteger(v: unknown, where: string): number | bigint {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ProtoCodecError(`${where}: ${v} is not a finite number`);
    return Math.trunc(v);
  }
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return BigInt(v.trim());
  throw new ProtoCodecError(`${where}: expected an integer, got ${typeof v}`);
}

function enumNumber(e: EnumDescriptor, v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    const n = e.byName.get(v);
    if (n !== undefined) return n;
  }
  throw new ProtoCodecError(`${where}: ${JSON.stringify(v)} is not a value of enum ${e.fullName}`);
}

function toBytes(v: unknown, where: string): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') return Buffer.from(v, 'base64');
  throw new ProtoCodecError(`${where}: expected bytes`);
}

const wireTypeOf = (s: ScalarType): number => {
  switch (s) {
    case 'double':
    case 'fixed64':
    case 'sfixed64':
      return 1;
    case 'float':
    case 'fixed32':
    case 'sfixed32':
      return 5;
    case 'string':
    case 'bytes':
      return 2;
    default:
      return 0;
  }
};

/** The encoded bytes of one scalar value (without tag). */
function scalarBytes(s: ScalarType, v: unknown, where: string): Buffer {
  switch (s) {
    case 'string': {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
        throw new ProtoCodecError(`${where}: expected a string`);
      const b = Buffer.from(String(v), 'utf8');
      return Buffer.concat([varintBytes(b.length, 0), b]);
    }
    case 'bytes': {
      const b = toBytes(v, where);
      return Buffer.concat([varintBytes(b.length, 0), b]);
    }
    case 'bool':
      return Buffer.from([v ? 1 : 0]);
    case 'double': {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(Number(v));
      return b;
    }
    case 'float': {
      const b = Buffer.alloc(4);
      b.writeFloatLE(Number(v));
      return b;
    }
    case 'fixed32':
    case 'sfixed32': {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(Number(BigInt.asUintN(32, BigInt(toInteger(v, where)))));
      return b;
    }
    case 'fixed64':
    case 'sfixed64': {
      const [lo, hi] = split64(toInteger(v, where));
      const b = Buffer.alloc(8);
      b.writeUInt32LE(lo, 0);
      b.writeUInt32LE(hi, 4);
      return b;
    }
    case 'uint32':
      return varintBytes(Number(BigInt.asUintN(32, BigInt(toInteger(v, where)))), 0);
    case 'sint32':
    case 'sint64': {
      const n = BigInt(toInteger(v, where));
      const [lo, hi] = split64(n >= 0n ? n * 2n : -n * 2n - 1n);
      return varintBytes(lo, hi);
    }
    case 'int32': {
      // Negative int32 values are sign-extended to ten bytes, like int64.
      const n = toInteger(v, where);
      const i = typeof n === 'number' ? n | 0 : Number(BigInt.asIntN(32, n));
      return i >= 0 ? varintBytes(i, 0) : varintBytes(...split64(i));
    }
    case 'int64':
    case 'uint64': {
      const n = toInteger(v, where);
      if (typeof n === 'number' && n >= 0 && n < TWO32) return varintBytes(n, 0);
      return varintBytes(...split64(n));
    }
  }
}

const isDefaultScalar = (s: ScalarType, v: unknown): boolean => {
  if (s === 'string') return v === '';
  if (s === 'bytes') return Buffer.isBuffer(v) || v instanceof Uint8Array ? v.length === 0 : v === '';
  if (s === 'bool') return v === false;
  return v === 0 || v === 0n || v === '0';
};

const tagBytes = (num: number, wire: number) => varintBytes((num * 8 + wire) >>> 0, Math.floor(num / 0x20000000));

function encodeValue(t: ValueType, num: number, v: unknown, out: Parts, where: string) {
  switch (t.kind) {
    case 'scalar':
      out.push(tagBytes(num, wireTypeOf(t.scalar)));
      out.push(scalarBytes(t.scalar, v, where));
      return;
    case 'enum':
      out.push(tagBytes(num, 0));
      out.push(scalarBytes('int32', enumNumber(t.enum, v, where), where));
      return;
    case 'message': {
      const sub = new Parts();
      encodeInto(t.message, v, sub, where);
      out.push(tagBytes(num, 2));
      out.push(varintBytes(sub.size, 0));
      for (const b of sub.list) out.push(b);
    }
  }
}

function encodeField(f: FieldDescriptor, v: unknown, out: Parts, where: string) {
  if (f.mapKey) {
    if (typeof v !== 'object' || v === null) throw new ProtoCodecError(`${where}: expected an object for a map`);
    const key: ValueType = { kind: 'scalar', scalar: f.mapKey };
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined || val === null) continue;
      const entry = new Parts();
      encodeValue(key, 1, f.mapKey === 'string' ? k : f.mapKey === 'bool' ? k === 'true' : k, entry, `${where}.${k}`);
      encodeValue(f.type, 2, val, entry, `${where}.${k}`);
      out.push(tagBytes(f.number, 2));
      out.push(varintBytes(entry.size, 0));
      for (const b of entry.list) out.push(b);
    }
    return;
  }
  if (f.repeated) {
    if (!Array.isArray(v)) throw new ProtoCodecError(`${where}: expected an array`);
    const packed = f.type.kind === 'enum' || (f.type.kind === 'scalar' && wireTypeOf(f.type.scalar) !== 2);
    if (packed) {
      if (v.length === 0) return;
      const body = new Parts();
      v.forEach((x, i) =>
        body.push(
          f.type.kind === 'enum'
            ? scalarBytes('int32', enumNumber(f.type.enum, x, `${where}[${i}]`), where)
            : scalarBytes(f.type.kind === 'scalar' ? f.type.scalar : 'int32', x, `${where}[${i}]`),
        ),
      );
      out.push(tagBytes(f.number, 2));
      out.push(varintBytes(body.size, 0));
      for (const b of body.list) out.push(b);
    } else v.forEach((x, i) => encodeValue(f.type, f.number, x, out, `${where}[${i}]`));
    return;
  }
  if (f.type.kind === 'scalar' && isDefaultScalar(f.type.scalar, v)) return;
  if (f.type.kind === 'enum' && enumNumber(f.type.enum, v, where) === 0) return;
  encodeValue(f.type, f.number, v, out, where);
}

function encodeInto(m: MessageDescriptor, value: unknown, out: Parts, where: string) {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ProtoCodecError(`${where}: expected an object for ${m.fullName}`);
  const obj = value as Record<string, unknown>;
  for (const f of m.fields) {
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    encodeField(f, v, out, where ? `${where}.${f.name}` : f.name);
  }
}

/** Encodes a plain object as message `m`. Fields not in the descriptor are ignored; any field may be omitted. */
export function encodeMessage(m: MessageDescriptor, value: object): Buffer {
  const out = new Parts();
  encodeInto(m, value, out, '');
  return Buffer.concat(out.list, out.size);
}

// ---- decoding ----

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }
  /** A varint as lo/hi 32-bit halves. */
  varint64(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoCodecError('truncated varint');
      const b = this.buf[this.pos++] ?? 0;
      if (i < 4) lo |= (b & 0x7f) << (i * 7);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (i * 7 - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new ProtoCodecError('varint longer than 10 bytes');
  }
  uvarint(): number {
    const [lo, hi] = this.varint64();
    return hi * TWO32 + lo;
  }
  take(n: number): [number, number] {
    const s = this.pos;
    if (n < 0 || s + n > this.end) throw new ProtoCodecError('truncated field');
    this.pos += n;
    return [s, s + n];
  }
  skip(wire: number) {
    switch (wire) {
      case 0:
        this.varint64();
        return;
      case 1:
        this.take(8);
        return;
      case 2:
        this.take(this.uvarint());
        return;
      case 5:
        this.take(4);
        return;
      default:
        throw new ProtoCodecError(`unsupported wire type ${wire}`);
    }
  }
}

const signed64 = (lo: number, hi: number): number => (hi & 0x80000000 ? -((~hi >>> 0) * TWO32 + (~lo >>> 0) + 1) : hi * TWO32 + lo);

function readScalar(s: ScalarType, r: Reader): unknown {
  const b = r.buf;
  switch (s) {
    case 'string': {
      const [a, z] = r.take(r.uvarint());
      return b.toString('utf8', a, z);
    }
    case 'bytes': {
      const [a, z] = r.take(r.uvarint());
      return Buffer.from(b.subarray(a, z));
    }
    case 'bool': {
      const [lo, hi] = r.varint64();
      return lo !== 0 || hi !== 0;
    }
    case 'int32':
      return r.varint64()[0] | 0;
    case 'uint32':
      return r.varint64()[0];
    case 'int64':
      return signed64(...r.varint64());
    case 'uint64': {
      const [lo, hi] = r.varint64();
      return hi * TWO32 + lo;
    }
    case 'sint32': {
      const lo = r.varint64()[0];
      return (lo >>> 1) ^ -(lo & 1);
    }
    case 'sint64': {
      const [lo, hi] = r.varint64();
      const v = BigInt(hi) * 4294967296n + BigInt(lo);
      return Number(v & 1n ? -(v >> 1n) - 1n : v >> 1n);
    }
    case 'fixed32': {
      const [a] = r.take(4);
      return b.readUInt32LE(a);
    }
    case 'sfixed32': {
      const [a] = r.take(4);
      return b.readInt32LE(a);
    }
    case 'fixed64': {
      const [a] = r.take(8);
      return b.readUInt32LE(a + 4) * TWO32 + b.readUInt32LE(a);
    }
    case 'sfixed64': {
      const [a] = r.take(8);
      return signed64(b.readUInt32LE(a), b.readUInt32LE(a + 4));
    }
    case 'float': {
      const [a] = r.take(4);
      return b.readFloatLE(a);
    }
    case 'double': {
      const [a] = r.take(8);
      return b.readDoubleLE(a);
    }
  }
}

const enumValue = (e: EnumDescriptor, n: number): string | number => e.byNumber.get(n) ?? n;

function defaultOf(t: ValueType): unknown {
  switch (t.kind) {
    case 'message':
      return null;
    case 'enum':
      return t.enum.defaultName;
    case 'scalar':
      switch (t.scalar) {
        case 'string':
          return '';
        case 'bytes':
          return Buffer.alloc(0);
        case 'bool':
          return false;
        default:
          return 0;
      }
  }
}

function readValue(t: ValueType, r: Reader): unknown {
  switch (t.kind) {
    case 'scalar':
      return readScalar(t.scalar, r);
    case 'enum':
      return enumValue(t.enum, r.varint64()[0] | 0);
    case 'message': {
      const [a, z] = r.take(r.uvarint());
      return decodeRange(t.message, r.buf, a, z);
    }
  }
}

function decodeMapEntry(f: FieldDescriptor, r: Reader, target: Record<string, unknown>) {
  const [a, z] = r.take(r.uvarint());
  const er = new Reader(r.buf, a, z);
  const keyType: ScalarType = f.mapKey ?? 'string';
  let key: unknown = defaultOf({ kind: 'scalar', scalar: keyType });
  let value: unknown = f.type.kind === 'message' ? {} : defaultOf(f.type);
  while (er.pos < er.end) {
    const tag = er.uvarint();
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    if (num === 1 && wire === wireTypeOf(keyType)) key = readScalar(keyType, er);
    else if (num === 2 && wire === (f.type.kind === 'scalar' ? wireTypeOf(f.type.scalar) : f.type.kind === 'enum' ? 0 : 2))
      value = readValue(f.type, er);
    else er.skip(wire);
  }
  target[String(key)] = value;
}

function decodeRange(m: MessageDescriptor, buf: Buffer, start: number, end: number): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const f of m.fields) obj[f.name] = f.mapKey ? {} : f.repeated ? [] : defaultOf(f.type);
  const r = new Reader(buf, start, end);
  while (r.pos < r.end) {
    const tag = r.uvarint();
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    const f = m.byNumber.get(num);
    if (!f) {
      r.skip(wire);
      continue;
    }
    const t = f.type;
    const expected = t.kind === 'scalar' ? wireTypeOf(t.scalar) : t.kind === 'enum' ? 0 : 2;
    if (f.mapKey) {
      if (wire !== 2) {
        r.skip(wire);
        continue;
      }
      decodeMapEntry(f, r, obj[f.name] as Record<string, unknown>);
    } else if (f.repeated) {
      const list = obj[f.name] as unknown[];
      if (wire === 2 && expected !== 2) {
        // packed
        const [a, z] = r.take(r.uvarint());
        const pr = new Reader(buf, a, z);
        while (pr.pos < pr.end) list.push(readValue(t, pr));
      } else if (wire === expected) list.push(readValue(t, r));
      else r.skip(wire);
    } else if (wire !== expected) r.skip(wire);
    else if (t.kind === 'message' && obj[f.name] !== null) {
      // A repeated occurrence of a singular message merges into the first.
      const [a, z] = r.take(r.uvarint());
      const more = decodeRange(t.message, buf, a, z);
      mergeInto(t.message, obj[f.name] as Record<string, unknown>, more, buf, a, z);
    } else obj[f.name] = readValue(t, r);
  }
  return obj;
}

/** Merges a later occurrence: fields present on the wire in [a, z) overwrite, lists and maps append. */
function mergeInto(m: MessageDescriptor, into: Record<string, unknown>, more: Record<string, unknown>, buf: Buffer, a: number, z: number) {
  const seen = new Set<number>();
  const r = new Reader(buf, a, z);
  while (r.pos < r.end) {
    const tag = r.uvarint();
    seen.add(Math.floor(tag / 8));
    r.skip(tag & 7);
  }
  for (const f of m.fields) {
    if (!seen.has(f.number)) continue;
    const v = more[f.name];
    if (f.mapKey) Object.assign(into[f.name] as object, v);
    else if (f.repeated) (into[f.name] as unknown[]).push(...(v as unknown[]));
    else into[f.name] = v;
  }
}

/** Decodes message `m` from `buf`. Unknown fields are skipped; absent fields get their defaults. */
export function decodeMessage(m: MessageDescriptor, buf: Buffer): Record<string, unknown> {
  return decodeRange(m, buf, 0, buf.length);
}
