// Bridges a client's exec/attach WebSocket (v5 or v4.channel.k8s.io) to a session the runtime serves
// in-process (Runtime.openStream, the process runtime): stdin frames to the process's stdin, v5's
// stdin close ([255, 0]) to its end, resize to the session, stdout and stderr to their channels, and
// once the process has ended and its output is drained, the exit as a channel-3 Status (a non-zero
// exit is NonZeroExitCode with an ExitCode cause, as kubectl expects). v4 has no half-close: stdin
// then ends only with the connection. A client that goes away ends the session.

import WebSocket from 'ws';
import type { Logger } from '../../base/log.js';
import type { DirectStream } from '../runtime/runtime.js';
import { CLOSE, RESIZE, STATUS, STDERR, STDIN, STDOUT, errorStatus, exitStatus, parseResize } from './channel.js';
import { clientCodec } from './client-codec.js';

export interface DirectBridgeOptions {
  client: WebSocket;
  stream: DirectStream;
  log?: Logger;
}

const drained = (s: NodeJS.ReadableStream | undefined) =>
  new Promise<void>((resolve) => {
    if (!s) return resolve();
    s.once('end', resolve);
    s.once('close', resolve);
    s.once('error', () => resolve());
  });

/** Resolves when the session is over and the client connection closed. */
export async function bridgeDirect(o: DirectBridgeOptions): Promise<void> {
  const { client, stream } = o;
  let clientGone = false;
  const codec = clientCodec(client.protocol);
  const send = (channel: number, data: Buffer | string) => {
    const out = codec.write(channel, data);
    if (out !== undefined && client.readyState === WebSocket.OPEN) client.send(out);
  };
  client.on('message', (data, isBinary) => {
    const f = codec.read(data, isBinary);
    if (!f) return;
    if (f.channel === STDIN) stream.stdin?.write(f.data);
    else if (f.channel === CLOSE && f.data[0] === STDIN) stream.stdin?.end();
    else if (f.channel === RESIZE) {
      const size = parseResize(f.data);
      if (size) stream.resize?.(size);
    }
  });
  const gone = () => {
    if (clientGone) return;
    clientGone = true;
    stream.stdin?.end();
    stream.close();
  };
  client.on('close', gone);
  client.on('error', gone);
  // listened for from the start: a process's streams may end before its exit is known
  const outputDone = Promise.all([drained(stream.stdout), drained(stream.stderr)]);
  stream.stdout?.on('data', (b: Buffer) => send(STDOUT, b));
  stream.stderr?.on('data', (b: Buffer) => send(STDERR, b));
  try {
    const code = await stream.exit;
    await outputDone;
    if (!clientGone) send(STATUS, JSON.stringify(exitStatus(code)));
  } catch (e) {
    o.log?.warn('direct stream failed', { error: e });
    if (!clientGone) send(STATUS, JSON.stringify(errorStatus(e instanceof Error ? e.message : String(e))));
  }
  if (client.readyState === WebSocket.OPEN) client.close(1000);
}
