// A tiny protobuf writer for tests: builds bodies the way client-go's generated marshallers lay them out.

export class ProtoWriter {
  private readonly out: number[] = [];

  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.out.push(bytes[i] ?? 0);
    return this;
  }

  varint(n: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(n));
    do {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      this.out.push(v > 0n ? b | 0x80 : b);
    } while (v > 0n);
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }
  int(field: number, n: number | bigint): this {
    return this.tag(field, 0).varint(n);
  }
  bool(field: number, b: boolean): this {
    return this.int(field, b ? 1 : 0);
  }
  bytes(field: number, b: ArrayLike<number>): this {
    return this.tag(field, 2).varint(b.length).raw(b);
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  message(field: number, w: ProtoWriter): this {
    return this.bytes(field, w.finish());
  }
  double(field: number, d: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, d, true);
    return this.tag(field, 1).raw(b);
  }
  /** One entry of a map<string, string> field. */
  entry(field: number, key: string, value: string): this {
    return this.message(field, pw().string(1, key).string(2, value));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

export const pw = () => new ProtoWriter();

/** `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw}. */
export function envelope(apiVersion: string, kind: string, raw: ProtoWriter | Uint8Array, more?: (w: ProtoWriter) => void): Uint8Array {
  const w = pw().raw([0x6b, 0x38, 0x73, 0x00]).message(1, pw().string(1, apiVersion).string(2, kind));
  w.bytes(2, raw instanceof ProtoWriter ? raw.finish() : raw);
  more?.(w);
  return w.finish();
}

/** An ObjectMeta as client-go writes it for a new object: every non-pointer string, empty or not. */
export function newObjectMeta(name: string, labels: Record<string, string> = {}): ProtoWriter {
  const m = pw().string(1, name).string(2, '').string(3, '').string(4, '').string(5, '').string(6, '').int(7, 0).bytes(8, []);
  for (const [k, v] of Object.entries(labels)) m.entry(11, k, v);
  return m;
}
