// The answer on a connection that asked for an upgrade and will not get one: a Status over HTTP/1.1.

import type { Duplex } from 'node:stream';
import type { StatusError } from '../../base/errors.js';

/** Writes an HTTP error answer (a Status) on a socket that was not upgraded, then closes it. */
export function rejectUpgrade(socket: Duplex, e: StatusError): void {
  const body = JSON.stringify(e.toStatus());
  const text =
    e.code === 401
      ? 'Unauthorized'
      : e.code === 403
        ? 'Forbidden'
        : e.code === 404
          ? 'Not Found'
          : e.code === 400
            ? 'Bad Request'
            : 'Error';
  socket.end(
    `HTTP/1.1 ${e.code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
