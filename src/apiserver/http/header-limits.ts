// The size limit of a request's line and headers, as upstream's (Go's http.Server with MaxHeaderBytes
// of 1 MiB), and a Kubernetes Status for a request that breaks it or is malformed: Node's own answer
// is a bare "400 Bad Request" or "431" without a body that says which limit was hit.

import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';

/** How long a connection answered with a parse error is read (and its data dropped) before it is closed. */
const LINGER_MS = 2000;

/** Upstream's limit for the request line plus headers. */
export const MAX_HEADER_BYTES = 1024 * 1024;

interface ParserError extends Error {
  code?: string;
}

function statusText(code: number, reason: string, message: string): string {
  return `${JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code })}\n`;
}

/** Answers the parser's errors with a Status, then closes the connection (it cannot be reused). */
export function answerClientErrors(server: HttpServer | HttpsServer): void {
  server.on('clientError', (err: ParserError, sock: Duplex) => {
    if (!sock.writable || err.code === 'ECONNRESET') {
      sock.destroy();
      return;
    }
    let code = 400;
    let reason = 'BadRequest';
    let message = `the request could not be parsed: ${err.code ?? err.message}`;
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      code = 431;
      reason = 'RequestHeaderFieldsTooLarge';
      message = `the request line and headers are larger than the limit of ${MAX_HEADER_BYTES} bytes (a label or field selector this long belongs in several requests)`;
    } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      code = 408;
      reason = 'Timeout';
      message = 'the request headers were not received in time';
    }
    const body = statusText(code, reason, message);
    const head = `HTTP/1.1 ${code} ${code === 431 ? 'Request Header Fields Too Large' : code === 408 ? 'Request Timeout' : 'Bad Request'}\r\n`;
    sock.end(`${head}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    // A lingering close, as Go's server does after such an answer: the client may still be sending the
    // rest of its request, and a socket closed with unread data is reset by the kernel, which can drop
    // the answer before the client reads it (it then sees ECONNRESET instead of the 431). So the rest is
    // read and dropped until the client closes, or for at most LINGER_MS.
    sock.on('data', () => undefined);
    sock.resume();
    setTimeout(() => sock.destroy(), LINGER_MS).unref();
  });
}
