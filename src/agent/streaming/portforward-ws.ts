// Port-forward over a plain WebSocket (`v4.channel.k8s.io`, what @kubernetes/client-node uses, with
// `?ports=N[,M]`): port i gets data channel 2i and error channel 2i+1; each channel's first message
// from us is the port number (uint16 LE). One TCP connection into the pod per port.

import WebSocket from 'ws';
import type { Socket } from 'node:net';
import { portPrefix, unframe, frame } from './channel.js';

const asBuffer = (d: WebSocket.RawData): Buffer => (Buffer.isBuffer(d) ? d : Array.isArray(d) ? Buffer.concat(d) : Buffer.from(d));

export function bridgePortForwardWs(ws: WebSocket, ports: number[], dial: (port: number) => Socket, describe: string): void {
  const conns: Socket[] = [];
  const closeAll = () => {
    for (const c of conns) c.destroy();
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
  };
  ports.forEach((port, i) => {
    const dataCh = i * 2;
    const errCh = dataCh + 1;
    ws.send(portPrefix(dataCh, port));
    ws.send(portPrefix(errCh, port));
    const tcp = dial(port);
    conns.push(tcp);
    tcp.on('data', (b: Buffer) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame(dataCh, b));
    });
    tcp.on('error', (err) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame(errCh, `error forwarding port ${port} to pod ${describe}: ${err.message}`));
    });
    tcp.on('close', closeAll);
  });
  ws.on('message', (data) => {
    const f = unframe(asBuffer(data));
    if (!f || f.channel % 2 !== 0) return;
    conns[f.channel / 2]?.write(f.data);
  });
  ws.on('close', closeAll);
  ws.on('error', closeAll);
}

/** `ports` query values: repeated or comma separated; undefined when one is not a valid port. */
export function parsePorts(values: string[]): number[] | undefined {
  const out: number[] = [];
  for (const v of values.flatMap((x) => x.split(','))) {
    const t = v.trim();
    if (!/^\d+$/.test(t)) return undefined;
    const n = Number(t);
    if (n < 1 || n > 65535) return undefined;
    out.push(n);
  }
  return out.length ? out : undefined;
}
