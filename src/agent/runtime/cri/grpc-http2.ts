// Unary gRPC calls over node:http2 to a unix socket (or, on Windows, a named pipe): one lazily
// opened session per channel, re-opened after the peer closes, errors or sends GOAWAY. Calls take
// and return raw message bytes; framing, deadlines and grpc-status handling live here.
import * as http2 from 'node:http2';
import * as net from 'node:net';

/** The standard gRPC status codes. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

const codeNames = new Map<number, string>(Object.entries(GrpcStatus).map(([k, v]) => [v, k]));

/** A failed call: `code` is the gRPC status, `details` the server's (or our) message. */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code} ${codeNames.get(code) ?? 'UNKNOWN'}: ${details}`);
    this.name = 'GrpcError';
  }
}

export function isGrpcError(e: unknown): e is Error & { code: number; details: string } {
  return (
    e instanceof Error && typeof (e as { code?: unknown }).code === 'number' && typeof (e as { details?: unknown }).details === 'string'
  );
}

export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface GrpcChannel {
  /** One unary call: `path` is `/package.Service/Method`, `message` the encoded request. */
  unary(path: string, message: Buffer, deadlineMs: number): Promise<Buffer>;
  /** Closes the session; a later call opens a new one. */
  close(): void;
}

export interface GrpcChannelOptions {
  maxMessageBytes?: number;
}

/** grpc-timeout header value: at most 8 digits, in the finest unit that fits. */
export function grpcTimeout(ms: number): string {
  const v = Math.max(0, Math.ceil(ms));
  if (v < 1e8) return `${v}m`;
  if (v / 1000 < 1e8) return `${Math.ceil(v / 1000)}S`;
  return `${Math.ceil(v / 3_600_000)}H`;
}

/** Message of a grpc-message header: percent-decoded, left as is when malformed. */
export function decodeGrpcMessage(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** The status of a response without grpc-status, from its HTTP status (as the gRPC HTTP/2 spec maps them). */
export function statusFromHttp(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

function headerString(h: http2.IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The framed messages of a response body (5-byte prefix: compressed flag, big-endian length). */
function unframe(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < body.length) {
    if (i + 5 > body.length) throw new GrpcError(GrpcStatus.INTERNAL, 'truncated message frame');
    const flag = body[i] ?? 0;
    const len = body.readUInt32BE(i + 1);
    if (flag !== 0) throw new GrpcError(GrpcStatus.INTERNAL, 'compressed response without negotiated encoding');
    if (i + 5 + len > body.length) throw new GrpcError(GrpcStatus.INTERNAL, 'truncated message');
    out.push(body.subarray(i + 5, i + 5 + len));
    i += 5 + len;
  }
  return out;
}

/**
 * A channel to `connectPath` (a unix socket path, or a Windows pipe path `\\.\pipe\name`); nothing is
 * opened until the first call. An idle session does not keep the process alive.
 */
export function createGrpcChannel(connectPath: string, opts: GrpcChannelOptions = {}): GrpcChannel {
  const maxBytes = opts.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  let session: http2.ClientHttp2Session | undefined;
  let inFlight = 0;

  const open = (): http2.ClientHttp2Session => {
    if (session && !session.closed && !session.destroyed) return session;
    const s = http2.connect('http://localhost', { createConnection: () => net.connect(connectPath) });
    const drop = () => {
      if (session === s) session = undefined;
    };
    s.on('error', drop); // streams see the error too and reject their calls
    s.on('close', drop);
    s.on('goaway', drop); // node closes (or destroys) the session after a GOAWAY itself
    s.on('timeout', drop);
    session = s;
    return s;
  };

  const refChange = (delta: number) => {
    inFlight += delta;
    if (!session) return;
    if (inFlight > 0) session.ref();
    else session.unref();
  };

  const request = (headers: http2.OutgoingHttpHeaders): http2.ClientHttp2Stream => {
    try {
      return open().request(headers);
    } catch {
      // The session went away between our check and the request (closing, GOAWAY): one fresh try.
      session?.destroy();
      session = undefined;
      return open().request(headers);
    }
  };

  return {
    unary(path, message, deadlineMs) {
      return new Promise<Buffer>((resolve, reject) => {
        if (message.length > maxBytes) {
          reject(new GrpcError(GrpcStatus.RESOURCE_EXHAUSTED, `request message of ${message.length} bytes is larger than ${maxBytes}`));
          return;
        }
        let stream: http2.ClientHttp2Stream;
        try {
          stream = request({
            ':method': 'POST',
            ':path': path,
            'content-type': 'application/grpc',
            te: 'trailers',
            'grpc-timeout': grpcTimeout(deadlineMs),
          });
        } catch (e) {
          reject(new GrpcError(GrpcStatus.UNAVAILABLE, `cannot open a stream: ${e instanceof Error ? e.message : String(e)}`));
          return;
        }
        refChange(1);
        let settled = false;
        let httpStatus = 0;
        let grpcStatus: number | undefined;
        let grpcMessage = '';
        let streamError: Error | undefined;
        const chunks: Buffer[] = [];
        let received = 0;
        const finish = (err: GrpcError | undefined, value?: Buffer) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          refChange(-1);
          if (err) reject(err);
          else resolve(value ?? Buffer.alloc(0));
        };
        const fail = (code: number, details: string) => {
          finish(new GrpcError(code, details));
          if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
        };
        const timer = setTimeout(
          () => fail(GrpcStatus.DEADLINE_EXCEEDED, `deadline of ${deadlineMs} ms exceeded`),
          Math.max(0, deadlineMs),
        );
        const readStatus = (h: http2.IncomingHttpHeaders) => {
          const s = headerString(h, 'grpc-status');
          if (s === undefined) return;
          grpcStatus = /^\d+$/.test(s) ? Number(s) : GrpcStatus.UNKNOWN;
          grpcMessage = decodeGrpcMessage(headerString(h, 'grpc-message') ?? '');
        };
        stream.on('response', (h) => {
          httpStatus = Number(h[':status'] ?? 0);
          readStatus(h);
        });
        stream.on('trailers', (h) => readStatus(h));
        stream.on('data', (c: Buffer) => {
          received += c.length;
          if (received > maxBytes + 5) fail(GrpcStatus.RESOURCE_EXHAUSTED, `response larger than ${maxBytes} bytes`);
          else chunks.push(c);
        });
        stream.on('error', (e) => {
          streamError = e;
        });
        stream.on('close', () => {
          if (settled) return;
          if (httpStatus === 0) {
            finish(
              new GrpcError(
                GrpcStatus.UNAVAILABLE,
                `connection to ${connectPath} failed: ${streamError?.message ?? `stream closed (code ${stream.rstCode ?? '?'})`}`,
              ),
            );
            return;
          }
          if (grpcStatus === undefined) {
            if (httpStatus !== 200) finish(new GrpcError(statusFromHttp(httpStatus), `HTTP status ${httpStatus}`));
            else if (streamError) finish(new GrpcError(GrpcStatus.UNAVAILABLE, streamError.message));
            else finish(new GrpcError(GrpcStatus.UNKNOWN, `no grpc-status received (stream code ${stream.rstCode ?? '?'})`));
            return;
          }
          if (grpcStatus !== GrpcStatus.OK) {
            finish(new GrpcError(grpcStatus, grpcMessage));
            return;
          }
          try {
            const msgs = unframe(Buffer.concat(chunks, received));
            const first = msgs[0];
            if (msgs.length !== 1 || !first)
              finish(new GrpcError(GrpcStatus.INTERNAL, `expected one response message, got ${msgs.length}`));
            else if (first.length > maxBytes)
              finish(new GrpcError(GrpcStatus.RESOURCE_EXHAUSTED, `response larger than ${maxBytes} bytes`));
            else finish(undefined, first);
          } catch (e) {
            finish(e instanceof GrpcError ? e : new GrpcError(GrpcStatus.INTERNAL, String(e)));
          }
        });
        const frame = Buffer.allocUnsafe(5 + message.length);
        frame[0] = 0;
        frame.writeUInt32BE(message.length, 1);
        message.copy(frame, 5);
        stream.end(frame);
      });
    },
    close() {
      const s = session;
      session = undefined;
      s?.close();
    },
  };
}
