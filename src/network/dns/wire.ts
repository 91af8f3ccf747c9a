// Our own reader of DNS messages, run before anything else touches a packet: header, names with
// compression pointers (only backwards, a bounded number of hops, at most 255 bytes: a pointer loop
// or a forward pointer is an error, never a hang), and every resource record's bounds. It gives the
// handler the question and the EDNS0 OPT of a query, and the cache the TTL fields of an upstream
// answer, without decoding what it does not need. (dns-packet 5.6 also refuses forward pointers,
// but it decodes labels as UTF-8, which is lossy, and throws plain Errors we could not tell apart.)

export const HEADER_BYTES = 12;
const MAX_NAME = 255;
const MAX_HOPS = 64;

export interface Header {
  id: number;
  /** The 16 flag bits as sent. */
  flags: number;
  qr: boolean;
  opcode: number;
  rd: boolean;
  tc: boolean;
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

interface Question {
  /** Labels as sent (case kept), decoded byte for byte. */
  labels: string[];
  qtype: number;
  qclass: number;
  /** Offsets of the question in the message (for copying it into an answer verbatim). */
  start: number;
  end: number;
}

interface RecordRef {
  section: 'answer' | 'authority' | 'additional';
  type: number;
  klass: number;
  ttl: number;
  /** Offset of the 32-bit TTL field. */
  ttlOffset: number;
  /** The whole record, owner name included. */
  start: number;
  end: number;
  rdataStart: number;
}

export interface Message {
  header: Header;
  /** The first question (messages handled here carry at most one). */
  question: Question | undefined;
  records: RecordRef[];
}

/** A message that could not be read; `header` is there when at least the header could. */
export class WireError extends Error {
  constructor(
    message: string,
    readonly header?: Header,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

export function readHeader(buf: Buffer): Header | undefined {
  if (buf.length < HEADER_BYTES) return undefined;
  const flags = buf.readUInt16BE(2);
  return {
    id: buf.readUInt16BE(0),
    flags,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    rcode: flags & 0xf,
    qdcount: buf.readUInt16BE(4),
    ancount: buf.readUInt16BE(6),
    nscount: buf.readUInt16BE(8),
    arcount: buf.readUInt16BE(10),
  };
}

/** Reads a name at `off`; answers its labels and the offset just after it (after the first pointer, if any). */
function readName(buf: Buffer, off: number): { labels: string[]; next: number } {
  const labels: string[] = [];
  let pos = off;
  let next = -1;
  let size = 1;
  let hops = 0;
  // a pointer must point before the start of the run of labels it was found in, so every hop moves backwards
  let floor = off;
  for (;;) {
    if (pos >= buf.length) throw new WireError('name runs past the end of the message');
    const len = buf[pos]!;
    if (len === 0) {
      if (next < 0) next = pos + 1;
      return { labels, next };
    }
    const top = len & 0xc0;
    if (top === 0xc0) {
      if (pos + 1 >= buf.length) throw new WireError('compression pointer runs past the end of the message');
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (target >= floor) throw new WireError('compression pointer does not point backwards (a loop)');
      if (++hops > MAX_HOPS) throw new WireError('too many compression pointers');
      if (next < 0) next = pos + 2;
      pos = target;
      floor = target;
      continue;
    }
    if (top !== 0) throw new WireError(`unsupported label type 0x${top.toString(16)}`);
    if (pos + 1 + len > buf.length) throw new WireError('label runs past the end of the message');
    size += len + 1;
    if (size > MAX_NAME) throw new WireError('name longer than 255 bytes');
    labels.push(buf.toString('latin1', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
}

function readQuestion(buf: Buffer, off: number): Question {
  const { labels, next } = readName(buf, off);
  if (next + 4 > buf.length) throw new WireError('question runs past the end of the message');
  return { labels, qtype: buf.readUInt16BE(next), qclass: buf.readUInt16BE(next + 2), start: off, end: next + 4 };
}

/** Reads a whole message: header, questions (the first kept), every record's bounds. Throws WireError. */
export function readMessage(buf: Buffer): Message {
  const header = readHeader(buf);
  if (!header) throw new WireError('message shorter than a DNS header');
  try {
    let off = HEADER_BYTES;
    let question: Question | undefined;
    for (let i = 0; i < header.qdcount; i++) {
      const q = readQuestion(buf, off);
      question ??= q;
      off = q.end;
    }
    const records: RecordRef[] = [];
    const sections: Array<[RecordRef['section'], number]> = [
      ['answer', header.ancount],
      ['authority', header.nscount],
      ['additional', header.arcount],
    ];
    for (const [section, count] of sections) {
      for (let i = 0; i < count; i++) {
        const start = off;
        const { next } = readName(buf, off);
        if (next + 10 > buf.length) throw new WireError(`${section} record runs past the end of the message`);
        const rdlen = buf.readUInt16BE(next + 8);
        const end = next + 10 + rdlen;
        if (end > buf.length) throw new WireError(`${section} record data runs past the end of the message`);
        records.push({
          section,
          type: buf.readUInt16BE(next),
          klass: buf.readUInt16BE(next + 2),
          ttl: buf.readUInt32BE(next + 4),
          ttlOffset: next + 4,
          start,
          end,
          rdataStart: next + 10,
        });
        off = end;
      }
    }
    if (off !== buf.length) throw new WireError(`${buf.length - off} bytes after the last record`);
    return { header, question, records };
  } catch (e) {
    if (e instanceof WireError) throw new WireError(e.message, header);
    throw e;
  }
}

export const TYPE_OPT = 41;

/** The EDNS0 facts of a message's OPT record, if it has one. */
export function ednsOf(buf: Buffer, msg: Message): { udpSize: number; version: number; dnssecOk: boolean } | undefined {
  const opt = msg.records.find((r) => r.section === 'additional' && r.type === TYPE_OPT);
  if (!opt) return undefined;
  const ttl = buf.readUInt32BE(opt.ttlOffset);
  return { udpSize: opt.klass, version: (ttl >>> 16) & 0xff, dnssecOk: (ttl & 0x8000) !== 0 };
}
