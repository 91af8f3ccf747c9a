// Keeps Node 20's HTTP parser from being fed TLS data while it is paused, the cause of keep-alive
// requests with bodies over one TLS record (16 KiB) being reset.
//
// Node's HTTP server pauses a connection's socket and parser when a new request arrives while the
// previous response is still being flushed (the socket's `writableNeedDrain`: any response larger
// than 16 KiB, written just before the client sent its next request). When the parser reads straight
// from the TLS handle (the "consumed" fast path), pausing the handle does not stop the cleartext of a
// TLS record that is already being decrypted: the next record of the body reaches the paused parser,
// which fails with HPE_PAUSED, and the server destroys the socket. The client sees ECONNRESET; the
// handler sees its request "aborted". Go clients rarely hit it because they send the next request a
// little later; Node, Python and curl keep-alive clients hit it on 1-20% of such requests.
//
// Marking the TLS handle as already consumed makes the server read through the socket's 'data'
// events instead, where a pause holds exactly (unread data waits in the stream's buffer). Node 24's
// server does not show the fault, and the marker is inert there.

import type { Server } from 'node:https';
import type { TLSSocket } from 'node:tls';

interface ConsumableHandle {
  _consumed?: boolean;
}

/** Makes `server` parse requests from socket events rather than from the TLS handle directly. */
export function parseFromSocketEvents(server: Server): void {
  // prepended: it must run before the HTTP server's own connection listener looks at the flag
  server.prependListener('secureConnection', (sock: TLSSocket) => {
    const handle = (sock as unknown as { _handle?: ConsumableHandle | null })._handle;
    if (handle) handle._consumed = true;
  });
}
