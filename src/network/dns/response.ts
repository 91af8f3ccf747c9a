// Reply messages. A reply is our header, the asker's question copied byte for byte (so its case and
// any odd bytes come back as sent), then the records, each encoded on its own by dns-packet and
// concatenated: dns-packet does not compress names, so records are independent and a reply that
// is too large for the asker's UDP limit can be cut record by record (additional first, then answers
// from the end) and flagged TC, as CoreDNS's truncation does. An EDNS0 asker gets an OPT back.

import dnsPacket, { type Answer } from 'dns-packet';
import { HEADER_BYTES, type Header } from './wire.js';

/** The lowest UDP limit (RFC 1035) and what we advertise in our OPT (the DNS flag day 2020 figure). */
export const UDP_MIN = 512;
const EDNS_SIZE = 1232;

const QR = 0x8000;
const AA = 0x0400;
const TC = 0x0200;
const RD = 0x0100;
const RA = 0x0080;

function encodeRecord(r: Answer): Buffer {
  return dnsPacket.encode({ answers: [r] }).subarray(HEADER_BYTES);
}

/** The OPT record of our replies (root owner, our UDP size, version 0, no flags, no options). */
export function optRecord(): Buffer {
  const b = Buffer.alloc(11);
  b.writeUInt16BE(41, 1);
  b.writeUInt16BE(EDNS_SIZE, 3);
  return b;
}

function header(id: number, flags: number, counts: [number, number, number, number]): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(flags, 2);
  counts.forEach((c, i) => h.writeUInt16BE(c, 4 + 2 * i));
  return h;
}

/** Flags of a reply to `q`: QR, the query's opcode and RD, RA (we recurse through the forwarder), the rcode. */
function replyFlags(q: Header, rcode: number, extra = 0): number {
  return QR | (q.opcode << 11) | (q.flags & RD) | RA | extra | (rcode & 0xf);
}

/** A reply with no records: errors (FORMERR, NOTIMP, SERVFAIL) and truncated stubs. */
export function bareReply(q: Header, rcode: number, question?: Buffer, edns = false, tc = false): Buffer {
  const opt = edns ? optRecord() : undefined;
  const h = header(q.id, replyFlags(q, rcode, tc ? TC : 0), [question ? 1 : 0, 0, 0, opt ? 1 : 0]);
  return Buffer.concat([h, question ?? Buffer.alloc(0), opt ?? Buffer.alloc(0)]);
}

export interface ReplyParts {
  rcode: number;
  authoritative: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/** Encodes a reply within `limit` bytes, dropping records and setting TC when they do not fit. */
export function buildReply(q: Header, question: Buffer, parts: ReplyParts, edns: boolean, limit: number): Buffer {
  const an = parts.answers.map(encodeRecord);
  const ns = parts.authorities.map(encodeRecord);
  let ar = parts.additionals.map(encodeRecord);
  const opt = edns ? optRecord() : undefined;
  const sum = (xs: Buffer[]) => xs.reduce((n, b) => n + b.length, 0);
  let size = HEADER_BYTES + question.length + sum(an) + sum(ns) + sum(ar) + (opt?.length ?? 0);
  let truncated = false;
  let nsKept = ns;
  if (size > limit) {
    truncated = true;
    size -= sum(ar);
    ar = [];
    while (size > limit && an.length > 0) size -= an.pop()!.length;
    if (size > limit) {
      size -= sum(nsKept);
      nsKept = [];
    }
  }
  const flags = replyFlags(q, parts.rcode, (parts.authoritative ? AA : 0) | (truncated ? TC : 0));
  const h = header(q.id, flags, [1, an.length, nsKept.length, ar.length + (opt ? 1 : 0)]);
  return Buffer.concat([h, question, ...an, ...nsKept, ...ar, ...(opt ? [opt] : [])]);
}
