// A minimal DER reader: enough of ASN.1 to walk a PKCS#10 certificate request (SEQUENCE, SET,
// context tags, OIDs, strings, BIT STRING). Kept here so that the API server can read and verify
// CSRs synchronously, without loading an X.509 library into long-running processes.

export interface DerNode {
  /** the identifier octet (0x30 SEQUENCE, 0x31 SET, 0x06 OID, 0xa0 [0] constructed, ...) */
  tag: number;
  /** the whole encoding, header included (what a signature covers) */
  raw: Buffer;
  /** the content octets */
  value: Buffer;
}

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** Reads one element at `offset`; returns it and the offset after it. */
function readOne(buf: Buffer, offset: number): { node: DerNode; next: number } {
  if (offset + 2 > buf.length) throw new DerError('truncated element');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  let len = buf[offset + 1]!;
  let hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('unsupported length encoding');
    if (offset + 2 + n > buf.length) throw new DerError('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[offset + 2 + i]!;
    hdr += n;
  }
  const end = offset + hdr + len;
  if (end > buf.length) throw new DerError('element runs past the end of its container');
  return { node: { tag, raw: buf.subarray(offset, end), value: buf.subarray(offset + hdr, end) }, next: end };
}

/** The single element encoded in `buf` (trailing bytes are an error). */
export function parseDer(buf: Buffer): DerNode {
  const { node, next } = readOne(buf, 0);
  if (next !== buf.length) throw new DerError('trailing data after the element');
  return node;
}

/** The children of a constructed element. */
export function children(n: DerNode): DerNode[] {
  if ((n.tag & 0x20) === 0) throw new DerError(`element with tag 0x${n.tag.toString(16)} is not constructed`);
  const out: DerNode[] = [];
  let off = 0;
  while (off < n.value.length) {
    const { node, next } = readOne(n.value, off);
    out.push(node);
    off = next;
  }
  return out;
}

/** An OBJECT IDENTIFIER's dotted text. */
export function oidText(n: DerNode): string {
  if (n.tag !== 0x06 || n.value.length === 0) throw new DerError('expected an OBJECT IDENTIFIER');
  const v = n.value;
  const first = v[0]!;
  const parts: number[] = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let acc = 0;
  for (let i = 1; i < v.length; i++) {
    acc = acc * 128 + (v[i]! & 0x7f);
    if ((v[i]! & 0x80) === 0) {
      parts.push(acc);
      acc = 0;
    }
  }
  return parts.join('.');
}

/** The text of a string element (UTF8String, PrintableString, IA5String, BMPString, T61String). */
export function stringText(n: DerNode): string {
  switch (n.tag) {
    case 0x0c: // UTF8String
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // T61String (treated as Latin-1)
      return n.tag === 0x14 ? n.value.toString('latin1') : n.value.toString('utf8');
    case 0x1e: {
      // BMPString: UTF-16 big-endian
      const b = Buffer.from(n.value);
      b.swap16();
      return b.toString('utf16le');
    }
    default:
      throw new DerError(`expected a string, found tag 0x${n.tag.toString(16)}`);
  }
}

/** The bytes of a BIT STRING without unused bits. */
export function bitStringBytes(n: DerNode): Buffer {
  if (n.tag !== 0x03 || n.value.length === 0) throw new DerError('expected a BIT STRING');
  if (n.value[0] !== 0) throw new DerError('BIT STRING with unused bits');
  return n.value.subarray(1);
}
