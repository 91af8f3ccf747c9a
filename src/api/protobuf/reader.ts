// A small reader of the protobuf wire format (varint, fixed64, length-delimited, fixed32).
// Every read checks its bounds; a malformed input ends in a 400 BadRequest StatusError.

import { badRequest } from '../../base/errors.js';

export type WireType = 0 | 1 | 2 | 5;

export interface Tag {
  field: number;
  wire: WireType;
}

const TWO_32 = 4294967296;

/** The error every malformed input ends in. */
export const malformed = (why: string) => badRequest(`invalid protobuf body: ${why}`);

export class ProtoReader {
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint as two 32-bit halves (low, high; both unsigned). */
  private varint64(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw malformed('truncated varint');
      const b = this.buf[this.pos++] ?? 0;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if ((b & 0x80) === 0) return [lo >>> 0, hi >>> 0];
    }
    throw malformed('varint longer than 10 bytes');
  }

  /** An unsigned varint that must fit a safe integer (lengths, tags). */
  uint(): number {
    const [lo, hi] = this.varint64();
    if (hi >= 0x200000) throw malformed('varint out of range');
    return hi * TWO_32 + lo;
  }

  /** int64 (two's complement), rejected if outside the safe integer range. */
  int64(): number {
    const [lo, hi] = this.varint64();
    const v = (hi | 0) * TWO_32 + lo;
    if (!Number.isSafeInteger(v)) throw malformed('int64 value out of the supported range');
    return v;
  }

  /** int32: the low 32 bits, sign-extended. */
  int32(): number {
    return this.varint64()[0] | 0;
  }

  bool(): boolean {
    const [lo, hi] = this.varint64();
    return lo !== 0 || hi !== 0;
  }

  double(): number {
    const b = this.take(8);
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
  }

  /** The tag of the next field. */
  tag(): Tag {
    const t = this.uint();
    const field = Math.floor(t / 8);
    const wire = t % 8;
    if (field === 0 || field > 0x1fffffff) throw malformed(`invalid field number ${field}`);
    if (wire !== 0 && wire !== 1 && wire !== 2 && wire !== 5) throw malformed(`unsupported wire type ${wire} for field ${field}`);
    return { field, wire };
  }

  /** The payload of a length-delimited field (a view, not a copy). */
  bytes(): Uint8Array {
    return this.take(this.uint());
  }

  /** A reader over the payload of a length-delimited field. */
  sub(): ProtoReader {
    const n = this.uint();
    if (n > this.end - this.pos) throw malformed('length exceeds the remaining input');
    const r = new ProtoReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** Skips the value of a field of the given wire type. */
  skip(wire: WireType): void {
    switch (wire) {
      case 0:
        this.varint64();
        return;
      case 1:
        this.take(8);
        return;
      case 2:
        this.take(this.uint());
        return;
      case 5:
        this.take(4);
        return;
    }
  }

  private take(n: number): Uint8Array {
    if (n > this.end - this.pos) throw malformed('length exceeds the remaining input');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
