// An upstream's answer made ready to keep and to hand on: its own OPT record is cut off (it spoke
// EDNS to us, not to our asker), and the offsets of every TTL are noted so that a cached copy can be
// served with its TTLs counted down, the way CoreDNS's cache serves them. How long it may be kept
// follows RFC 2308: the smallest TTL of the records for an answer; for a denial (NXDOMAIN or an
// empty NOERROR) the smaller of the SOA's TTL and its minimum; without an SOA a denial is not kept.

import { HEADER_BYTES, readMessage, TYPE_OPT, type Message } from './wire.js';
import { QTYPE, RCODE } from './records.js';
import { optRecord } from './response.js';

/** Upper bounds of CoreDNS's cache plugin (success 3600 s, denial 1800 s). */
const MAX_SUCCESS_TTL = 3600;
const MAX_DENIAL_TTL = 1800;

export interface UpstreamAnswer {
  /** The message without the upstream's OPT record. */
  buf: Buffer;
  rcode: number;
  truncated: boolean;
  /** Offsets of the TTL fields, and their values as received. */
  ttls: Array<{ offset: number; ttl: number }>;
  /** How many seconds it may be cached (0: not at all). */
  cacheSeconds: number;
}

/** Reads an upstream's reply; throws WireError when it is malformed. */
export function prepareUpstreamAnswer(raw: Buffer): UpstreamAnswer {
  let msg: Message = readMessage(raw);
  let buf = raw;
  const last = msg.records[msg.records.length - 1];
  if (last && last.section === 'additional' && last.type === TYPE_OPT && last.end === buf.length) {
    buf = Buffer.from(raw.subarray(0, last.start));
    buf.writeUInt16BE(msg.header.arcount - 1, 10);
    msg = { ...msg, records: msg.records.slice(0, -1) };
  }
  const ttls = msg.records.filter((r) => r.type !== TYPE_OPT).map((r) => ({ offset: r.ttlOffset, ttl: r.ttl }));
  const answers = msg.records.filter((r) => r.section === 'answer');
  const rcode = msg.header.rcode;
  let cacheSeconds = 0;
  if (!msg.header.tc && rcode === RCODE.NOERROR && answers.length > 0) {
    cacheSeconds = Math.min(MAX_SUCCESS_TTL, ...msg.records.filter((r) => r.type !== TYPE_OPT).map((r) => r.ttl));
  } else if (!msg.header.tc && (rcode === RCODE.NXDOMAIN || (rcode === RCODE.NOERROR && answers.length === 0))) {
    const soa = msg.records.find((r) => r.section === 'authority' && r.type === QTYPE.SOA);
    // the SOA's MINIMUM is the last 32 bits of its data
    if (soa) cacheSeconds = Math.min(MAX_DENIAL_TTL, soa.ttl, buf.readUInt32BE(soa.end - 4));
  }
  return { buf, rcode, truncated: msg.header.tc, ttls, cacheSeconds };
}

/**
 * A copy for one asker: its ID and RD bit, its question bytes (same name, maybe other case), TTLs
 * less `ageSeconds`, and our OPT when the asker used EDNS.
 */
export function answerFor(a: UpstreamAnswer, id: number, rd: boolean, question: Buffer, ageSeconds: number, edns: boolean): Buffer {
  const out = Buffer.from(a.buf);
  out.writeUInt16BE(id, 0);
  out.writeUInt16BE((out.readUInt16BE(2) & ~0x0100) | (rd ? 0x0100 : 0) | 0x0080, 2);
  const qEnd = HEADER_BYTES + question.length;
  if (
    out.readUInt16BE(4) === 1 &&
    qEnd <= out.length &&
    out.subarray(HEADER_BYTES, qEnd).toString('latin1').toLowerCase() === question.toString('latin1').toLowerCase()
  )
    question.copy(out, HEADER_BYTES);
  if (ageSeconds > 0) for (const t of a.ttls) out.writeUInt32BE(Math.max(0, t.ttl - ageSeconds), t.offset);
  if (!edns) return out;
  out.writeUInt16BE(out.readUInt16BE(10) + 1, 10);
  return Buffer.concat([out, optRecord()]);
}
