// Bridges a client's exec/attach WebSocket to the runtime's streaming URL over SPDY/3.1 with the
// `v4.channel.k8s.io` stream protocol: one SPDY stream per channel (error, stdin, stdout, stderr,
// resize), so that the client's stdin EOF (v5: [255, 0]) can be passed on by half-closing the stdin
// stream, which a v4 WebSocket cannot express. Used for sessions with stdin from v5 clients.

import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { Logger } from '../../base/log.js';
import { CLOSE, RESIZE, STATUS, STDERR, STDIN, STDOUT, errorStatus } from './channel.js';
import { clientCodec } from './client-codec.js';
import { createSpdyClientConnection, unlimitSendWindow, type SpdyClientStream, type SpdyConnection } from './spdy.js';

export interface SpdyExecOptions {
  client: WebSocket;
  runtimeUrl: string;
  streams: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean };
  log?: Logger;
}

/** Opens the socket and performs the HTTP upgrade to SPDY/3.1; resolves with the upgraded socket. */
function upgrade(url: URL): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 80) });
    let buf = Buffer.alloc(0);
    const onData = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('error', reject);
      const head = buf.subarray(0, end).toString('latin1');
      const rest = buf.subarray(end + 4);
      if (!/^HTTP\/1\.1 101/.test(head)) {
        socket.destroy();
        reject(new Error(`runtime stream refused the SPDY upgrade: ${head.split('\r\n')[0] ?? ''}`));
        return;
      }
      socket.pause();
      if (rest.length) socket.unshift(rest);
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(
        `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n`,
      );
    });
  });
}

function open(conn: SpdyConnection, host: string, type: string): Promise<SpdyClientStream> {
  return new Promise((resolve, reject) => {
    const s = conn.request({ method: 'POST', path: '/', host, headers: { streamtype: type } }, (err) => (err ? reject(err) : resolve(s)));
    unlimitSendWindow(s);
  });
}

/** Resolves when the session is over (the error stream closed, output drained) or the client left. */
export async function bridgeExecSpdy(o: SpdyExecOptions): Promise<void> {
  const { client } = o;
  const pending: { channel: number; data: Buffer }[] = [];
  let clientGone = false;
  let stdinEnded = false;
  let ready = false;
  let stdin: SpdyClientStream | undefined;
  let resize: SpdyClientStream | undefined;
  // the client may send before the runtime side is ready: keep its frames in order
  const codec = clientCodec(client.protocol);
  client.on('message', (data, isBinary) => {
    const f = codec.read(data, isBinary);
    if (!f) return;
    if (ready) deliver(f);
    else pending.push(f);
  });
  const deliver = (f: { channel: number; data: Buffer }) => {
    if (f.channel === STDIN && !stdinEnded) stdin?.write(f.data);
    else if (f.channel === RESIZE) resize?.write(f.data);
    else if (f.channel === CLOSE && f.data[0] === STDIN && !stdinEnded) {
      stdinEnded = true;
      stdin?.end();
    }
  };
  const url = new URL(o.runtimeUrl);
  let socket: Socket | undefined;
  let conn: SpdyConnection | undefined;
  const send = (channel: number, data: Buffer | string) => {
    const out = codec.write(channel, data);
    if (out !== undefined && client.readyState === WebSocket.OPEN) client.send(out);
  };
  try {
    socket = await upgrade(url);
    conn = createSpdyClientConnection(socket);
    conn.on('error', (e) => o.log?.warn('exec spdy connection failed', { error: e }));
    const host = url.host;
    const error = await open(conn, host, 'error');
    // the error stream is read-only for us; its body is the final Status
    error.end();
    const outputs: Promise<void>[] = [];
    const pipeOut = async (type: 'stdout' | 'stderr', channel: number) => {
      const s = await open(conn!, host, type);
      s.end();
      outputs.push(
        new Promise<void>((res) => {
          s.on('data', (c: Buffer) => send(channel, c));
          s.once('end', () => res());
          s.once('close', () => res());
          s.once('error', () => res());
        }),
      );
    };
    if (o.streams.stdin) stdin = await open(conn, host, 'stdin');
    if (o.streams.stdout) await pipeOut('stdout', STDOUT);
    if (o.streams.stderr && !o.streams.tty) await pipeOut('stderr', STDERR);
    if (o.streams.tty) resize = await open(conn, host, 'resize');
    for (const m of pending.splice(0)) deliver(m);
    ready = true;
    client.once('close', () => {
      clientGone = true;
      error.destroy();
    });
    const status = await new Promise<string>((res) => {
      const chunks: Buffer[] = [];
      error.on('data', (c: Buffer) => chunks.push(c));
      const done = () => res(Buffer.concat(chunks).toString('utf8'));
      error.once('end', done);
      error.once('close', done);
      error.once('error', done);
    });
    // output that is still in flight arrives shortly after the status
    await Promise.race([Promise.all(outputs), new Promise((r) => setTimeout(r, 2000))]);
    if (!clientGone) {
      let parsed: unknown;
      try {
        parsed = status.trim() ? JSON.parse(status) : { metadata: {}, status: 'Success' };
      } catch {
        parsed = errorStatus(status.trim());
      }
      send(STATUS, JSON.stringify(parsed));
    }
  } catch (e) {
    o.log?.warn('exec spdy failed', { error: e instanceof Error ? e.message : String(e) });
    send(STATUS, JSON.stringify(errorStatus(`container runtime stream failed: ${e instanceof Error ? e.message : String(e)}`)));
  } finally {
    if (client.readyState === WebSocket.OPEN) client.close(1000);
    try {
      conn?.destroyStreams();
    } catch {
      /* already closed */
    }
    socket?.destroy();
  }
}
