// How one exec/attach client's WebSocket messages are read and written, by its subprotocol, as the
// kubelet does it (remotecommand over wsstream):
// - binary protocols (v5, v4, channel.k8s.io): the first byte is the channel; the client may send
//   binary OR text frames (the Python client sends stdin as text frames whose first character is the
//   channel), and both are read the same way;
// - base64 protocols (v4.base64.channel.k8s.io, base64.channel.k8s.io): the first character is the
//   channel as an ASCII digit and the rest is base64; we answer in text frames;
// - the pre-v4 protocols (channel.k8s.io, base64.channel.k8s.io) have no Status on channel 3: a
//   failure's message is written there as text and success writes nothing.

import type WebSocket from 'ws';
import { STATUS, V4, V5 } from './channel.js';

export const V4_BASE64 = 'v4.base64.channel.k8s.io';
const V1 = 'channel.k8s.io';
const V1_BASE64 = 'base64.channel.k8s.io';

/** Every exec/attach protocol we speak, best first. */
export const CLIENT_EXEC_PROTOCOLS = [V5, V4, V4_BASE64, V1, V1_BASE64] as const;

export interface ClientCodec {
  /** A message from the client: its channel and payload, or undefined for an empty or malformed one. */
  read(data: WebSocket.RawData, isBinary: boolean): { channel: number; data: Buffer } | undefined;
  /** What to send for `data` on `channel`; undefined when this protocol sends nothing (a pre-v4 success). */
  write(channel: number, data: Buffer | string): Buffer | string | undefined;
}

const asBuffer = (d: WebSocket.RawData): Buffer => (Buffer.isBuffer(d) ? d : Array.isArray(d) ? Buffer.concat(d) : Buffer.from(d));

/** A pre-v4 client gets only a failure's message on channel 3. */
function legacyStatus(data: Buffer | string): string | undefined {
  try {
    const s = JSON.parse(data.toString()) as Record<string, unknown>;
    if (s['status'] === 'Success') return undefined;
    return typeof s['message'] === 'string' ? s['message'] : data.toString();
  } catch {
    return data.toString();
  }
}

export function clientCodec(protocol: string): ClientCodec {
  const base64 = protocol === V4_BASE64 || protocol === V1_BASE64;
  const legacy = protocol === V1 || protocol === V1_BASE64 || protocol === '';
  return {
    read(raw) {
      const msg = asBuffer(raw);
      if (msg.length === 0) return undefined;
      if (!base64) return { channel: msg[0]!, data: msg.subarray(1) };
      const channel = msg[0]! - 0x30; // '0'
      if (channel < 0 || channel > 9) return undefined;
      return { channel, data: Buffer.from(msg.subarray(1).toString('latin1'), 'base64') };
    },
    write(channel, data) {
      let body: Buffer | string | undefined = data;
      if (legacy && channel === STATUS) body = legacyStatus(data);
      if (body === undefined) return undefined;
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      if (base64) return `${String.fromCharCode(0x30 + channel)}${bytes.toString('base64')}`;
      const out = Buffer.allocUnsafe(bytes.length + 1);
      out[0] = channel;
      bytes.copy(out, 1);
      return out;
    },
  };
}
