// The CRI container log format, `<RFC3339Nano> <stdout|stderr> <F|P> <message>` one record per line:
// an incremental parser that joins partial (P) records into whole lines, and the filters kubectl's
// log options ask for (since, tail, timestamps, byte limit).

export type LogStream = 'stdout' | 'stderr';

export interface LogEntry {
  /** timestamp of the (first part of the) line, as written in the file */
  time: string;
  /** the same in milliseconds since the epoch (NaN when unparsable) */
  timeMs: number;
  stream: LogStream;
  /** message bytes, ending in `\n` for complete lines */
  msg: Buffer;
}

const NL = 0x0a;
const SP = 0x20;

/** Parses one record (without its newline); undefined when the line is not a CRI record. */
export function parseCriLine(line: Buffer): { time: string; stream: LogStream; partial: boolean; msg: Buffer } | undefined {
  const a = line.indexOf(SP);
  if (a <= 0) return undefined;
  const b = line.indexOf(SP, a + 1);
  if (b < 0) return undefined;
  const stream = line.toString('latin1', a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  // The tag field may carry several flags separated by ':'; P marks a partial record.
  let c = line.indexOf(SP, b + 1);
  const end = c < 0 ? line.length : c;
  const tag = line.toString('latin1', b + 1, end);
  if (tag.length === 0) return undefined;
  const partial = tag.split(':').includes('P');
  if (c < 0) c = line.length - 1;
  return { time: line.toString('latin1', 0, a), stream, partial, msg: line.subarray(c + 1) };
}

export interface CriLogParser {
  /** Feeds raw file bytes; returns the complete lines they finish. */
  push(chunk: Buffer): LogEntry[];
}

export function createCriLogParser(): CriLogParser {
  let rest: Buffer = Buffer.alloc(0);
  const pending = new Map<LogStream, { time: string; parts: Buffer[] }>();
  return {
    push(chunk) {
      const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      const out: LogEntry[] = [];
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(NL, start);
        if (nl < 0) break;
        const rec = parseCriLine(buf.subarray(start, nl));
        start = nl + 1;
        if (!rec) continue;
        const p = pending.get(rec.stream);
        if (rec.partial) {
          if (p) p.parts.push(Buffer.from(rec.msg));
          else pending.set(rec.stream, { time: rec.time, parts: [Buffer.from(rec.msg)] });
          continue;
        }
        const time = p ? p.time : rec.time;
        const msg = Buffer.concat([...(p ? p.parts : []), rec.msg, Buffer.from('\n')]);
        pending.delete(rec.stream);
        out.push({ time, timeMs: Date.parse(time), stream: rec.stream, msg });
      }
      rest = Buffer.from(buf.subarray(start));
      return out;
    },
  };
}

/** RFC 3339 with nanoseconds as Go's RFC3339Nano prints it: trailing zeros of the fraction dropped. */
export function formatTimestamp(time: string): string {
  return time.replace(/\.(\d*?)0+(?=Z|[+-]\d\d:\d\d$)/, (_m, d: string) => (d.length ? `.${d}` : ''));
}

export interface LogFilter {
  /** keep lines at or after this time (ms since the epoch) */
  sinceMs?: number;
  /** prefix every line with its timestamp */
  timestamps?: boolean;
}

export const passesSince = (e: LogEntry, f: LogFilter): boolean => f.sinceMs === undefined || !(e.timeMs < f.sinceMs);

export function renderEntry(e: LogEntry, f: LogFilter): Buffer {
  return f.timestamps ? Buffer.concat([Buffer.from(`${formatTimestamp(e.time)} `), e.msg]) : e.msg;
}

/** A byte budget (limitBytes): cuts the output once the limit is reached. */
export interface ByteLimit {
  take(b: Buffer): Buffer;
  readonly exhausted: boolean;
}

export function createByteLimit(limit: number | undefined): ByteLimit {
  let left = limit === undefined ? Infinity : limit;
  return {
    take(b) {
      if (left === Infinity) return b;
      const out = b.length <= left ? b : b.subarray(0, left);
      left -= out.length;
      return out;
    },
    get exhausted() {
      return left <= 0;
    },
  };
}
