// One query in, one reply out (or nothing): the order in which a packet is judged, the same for UDP
// and TCP. A packet too short for a header, or itself a response, is dropped. Past that every
// packet gets an answer: more than MAX_QUERY_BYTES, unreadable (truncated, pointer loops) or not
// exactly one question: FORMERR; an opcode other than QUERY: NOTIMP; a name in the cluster zone:
// the zone's answer (REFUSED for a class other than IN); a reverse name of a cluster address: its
// PTR; anything else: the upstream's answer through the cache, SERVFAIL when no upstream answers.
// Replies over UDP fit the asker's limit (512 bytes, or its EDNS0 size) or come back truncated
// with TC set, so that it asks again over TCP.

import dnsPacket, { type Answer } from 'dns-packet';
import type { Logger } from '../../base/log.js';
import type { ClusterZone } from './cluster-zone.js';
import { isReverseName } from './names.js';
import { QTYPE, RCODE, RCODE_NAMES } from './records.js';
import { bareReply, buildReply, UDP_MIN } from './response.js';
import { reversePointers } from './reverse.js';
import type { DnsSource } from './source.js';
import { answerFor } from './upstream-answer.js';
import type { UpstreamResolver } from './upstream-resolver.js';
import { ednsOf, readHeader, readMessage, WireError, type Header, type Message } from './wire.js';

/** A query with one question and an OPT is well under 600 bytes; anything past this is not a query. */
const MAX_QUERY_BYTES = 4096;
const TCP_LIMIT = 65535;
const CLASS_IN = 1;

type Transport = 'udp' | 'tcp';

export interface DnsStats {
  /** Replies sent, by rcode name (NOERROR, NXDOMAIN, SERVFAIL, FORMERR, NOTIMP, REFUSED). */
  answered: Record<string, number>;
  /** Packets dropped without a reply (no readable header, or a response). */
  dropped: number;
  /** Replies cut to fit a UDP limit (TC set). */
  truncated: number;
  /** Questions answered from the cluster zone or its reverse names. */
  cluster: number;
  /** Questions sent on to the upstream resolvers (through the cache). */
  forwarded: number;
  cacheHits: number;
  cacheMisses: number;
  cacheEntries: number;
  upstreamQueries: number;
  upstreamFailures: number;
}

export interface QueryHandler {
  handle(packet: Buffer, transport: Transport): Promise<Buffer | undefined>;
  stats(): DnsStats;
}

export interface QueryHandlerDeps {
  zone: ClusterZone;
  zoneName: string;
  ttl: number;
  source: DnsSource;
  upstream: UpstreamResolver;
  log: Logger;
}

export function createQueryHandler(deps: QueryHandlerDeps): QueryHandler {
  const answered: Record<string, number> = {};
  let dropped = 0;
  let truncated = 0;
  let cluster = 0;
  let forwarded = 0;

  const count = (reply: Buffer): Buffer => {
    const name = RCODE_NAMES[reply[3]! & 0xf] ?? `RCODE${reply[3]! & 0xf}`;
    answered[name] = (answered[name] ?? 0) + 1;
    if ((reply[2]! & 0x02) !== 0) truncated++;
    return reply;
  };

  /** Answers from an upstream for an ExternalName target, as records to append (none when it fails). */
  async function chase(target: string, qtype: number): Promise<Answer[]> {
    try {
      const r = await deps.upstream.resolve(target.split('.'), qtype, CLASS_IN);
      return dnsPacket.decode(r.answer.buf).answers ?? [];
    } catch (e) {
      deps.log.debug('ExternalName target not resolved', { target, error: e });
      return [];
    }
  }

  async function answer(h: Header, msg: Message, packet: Buffer, transport: Transport): Promise<Buffer> {
    const q = msg.question!;
    const question = packet.subarray(q.start, q.end);
    const edns = ednsOf(packet, msg);
    const limit = transport === 'tcp' ? TCP_LIMIT : Math.max(UDP_MIN, Math.min(edns?.udpSize ?? UDP_MIN, TCP_LIMIT));
    const lower = q.labels.map((l) => l.toLowerCase());

    if (deps.zone.contains(lower)) {
      cluster++;
      if (q.qclass !== CLASS_IN) return bareReply(h, RCODE.REFUSED, question, !!edns);
      const r = deps.zone.answer(q.labels, q.qtype);
      if (r.chase && (q.qtype === QTYPE.A || q.qtype === QTYPE.AAAA)) r.answers.push(...(await chase(r.chase, q.qtype)));
      return buildReply(h, question, { ...r, authoritative: true }, !!edns, limit);
    }
    if (q.qtype === QTYPE.PTR && q.qclass === CLASS_IN && isReverseName(lower)) {
      const ptrs = reversePointers(q.labels, q.labels.join('.'), deps.source, deps.zoneName, deps.ttl);
      if (ptrs) {
        cluster++;
        return buildReply(
          h,
          question,
          { rcode: RCODE.NOERROR, authoritative: true, answers: ptrs, authorities: [], additionals: [] },
          !!edns,
          limit,
        );
      }
    }
    forwarded++;
    try {
      const r = await deps.upstream.resolve(q.labels, q.qtype, q.qclass);
      const out = answerFor(r.answer, h.id, h.rd, question, r.ageSeconds, !!edns);
      return out.length > limit ? bareReply(h, r.answer.rcode, question, !!edns, true) : out;
    } catch (e) {
      deps.log.debug('forwarding failed', { name: q.labels.join('.'), error: e });
      return bareReply(h, RCODE.SERVFAIL, question, !!edns);
    }
  }

  return {
    async handle(packet, transport) {
      const h = readHeader(packet);
      if (!h || h.qr) {
        dropped++;
        return undefined;
      }
      if (packet.length > MAX_QUERY_BYTES) return count(bareReply(h, RCODE.FORMERR));
      let msg: Message;
      try {
        msg = readMessage(packet);
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        deps.log.debug('malformed query', { error: e.message });
        return count(bareReply(h, RCODE.FORMERR));
      }
      const question = msg.question && h.qdcount === 1 ? packet.subarray(msg.question.start, msg.question.end) : undefined;
      if (h.opcode !== 0) return count(bareReply(h, RCODE.NOTIMP, question));
      if (h.qdcount !== 1) return count(bareReply(h, RCODE.FORMERR));
      try {
        return count(await answer(h, msg, packet, transport));
      } catch (e) {
        deps.log.error('query failed', { name: msg.question?.labels.join('.'), error: e });
        return count(bareReply(h, RCODE.SERVFAIL, question));
      }
    },
    stats() {
      return { answered: { ...answered }, dropped, truncated, cluster, forwarded, ...deps.upstream.stats() };
    },
  };
}
