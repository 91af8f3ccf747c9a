// Bridges a client's exec/attach WebSocket (v5 or v4.channel.k8s.io, from kubectl through the API
// server) to the runtime's streaming URL (containerd's stream server speaks v4.channel.k8s.io).
//
// stdin EOF: v5 clients signal it with [255, 0]; v4 has no half-close, so it cannot be passed on. The
// bridge then closes the runtime connection's stdin direction the only way v4 allows: not at all while
// output may still come. Commands that wait for stdin EOF (e.g. `cat` fed from a pipe) therefore keep
// running until the client disconnects; commands without stdin are unaffected. Exec sessions with
// stdin from v5 clients therefore go through exec-spdy.ts instead, which can half-close stdin.

import WebSocket from 'ws';
import type { Logger } from '../../base/log.js';
import { CLOSE, RESIZE, STATUS, STDIN, V4, errorStatus, frame, unframe } from './channel.js';
import { clientCodec } from './client-codec.js';

export interface ExecBridgeOptions {
  /** the client side, already upgraded */
  client: WebSocket;
  /** the runtime's streaming URL (http/https, upgraded to ws/wss) */
  runtimeUrl: string;
  log?: Logger;
  /** TLS verification for an https runtime URL (containerd serves plain http by default) */
  rejectUnauthorized?: boolean;
}

const toWs = (url: string) => url.replace(/^http(s?):/, 'ws$1:');

const asBuffer = (d: WebSocket.RawData): Buffer => (Buffer.isBuffer(d) ? d : Array.isArray(d) ? Buffer.concat(d) : Buffer.from(d));

/** Resolves when both sides are closed. */
export function bridgeExec(o: ExecBridgeOptions): Promise<void> {
  const { client } = o;
  const upstream = new WebSocket(toWs(o.runtimeUrl), [V4], { rejectUnauthorized: o.rejectUnauthorized ?? false });
  const queued: Buffer[] = [];
  const codec = clientCodec(client.protocol);
  const toClient = (channel: number, data: Buffer | string) => {
    const out = codec.write(channel, data);
    if (out !== undefined) client.send(out);
  };
  let statusSent = false;
  let done = false;

  return new Promise<void>((resolve) => {
    const finish = (status?: Record<string, unknown>) => {
      if (done) return;
      done = true;
      if (status && !statusSent && client.readyState === WebSocket.OPEN) {
        statusSent = true;
        toClient(STATUS, JSON.stringify(status));
      }
      if (client.readyState === WebSocket.OPEN) client.close(1000);
      else if (client.readyState === WebSocket.CONNECTING) client.terminate();
      if (upstream.readyState === WebSocket.OPEN) upstream.close(1000);
      else if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
      resolve();
    };

    client.on('message', (data, isBinary) => {
      const f = codec.read(data, isBinary);
      if (!f) return;
      if (f.channel === CLOSE) return; // stdin EOF: not expressible on v4 (see the file comment)
      if (f.channel !== STDIN && f.channel !== RESIZE) return;
      // the runtime speaks binary v4, whatever the client's frames were
      const msg = frame(f.channel, f.data);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(msg);
      else queued.push(msg);
    });
    client.on('close', () => finish());
    client.on('error', () => finish());

    upstream.on('open', () => {
      for (const m of queued.splice(0)) upstream.send(m);
    });
    upstream.on('message', (data) => {
      const msg = asBuffer(data);
      const f = unframe(msg);
      if (!f || client.readyState !== WebSocket.OPEN) return;
      if (f.channel === STATUS) statusSent = true;
      toClient(f.channel, f.data);
    });
    upstream.on('unexpected-response', (_req, res) => {
      o.log?.warn('runtime stream refused the exec', { status: res.statusCode ?? 0 });
      finish(errorStatus(`the container runtime refused the stream (HTTP ${res.statusCode ?? 0})`));
    });
    upstream.on('error', (err) => finish(errorStatus(`container runtime stream failed: ${err.message}`)));
    // A runtime that closes without a status leaves the outcome unknown: report success only on a
    // normal close.
    upstream.on('close', (code) =>
      finish(
        code === 1000 || code === 1005 ? { metadata: {}, status: 'Success' } : errorStatus(`container runtime stream closed (${code})`),
      ),
    );
  });
}
