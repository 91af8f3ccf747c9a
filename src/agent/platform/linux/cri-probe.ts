// A CRI Version call without the proto file: the request is one string field, and of the answer
// only field 3 (runtime_version) is read. Used to tell when a freshly started containerd serves.
import { createGrpcChannel } from '../../runtime/cri/grpc-http2.js';

function readStringField(buf: Buffer, field: number): string | undefined {
  let i = 0;
  const varint = () => {
    let v = 0;
    let s = 0;
    for (;;) {
      const b = buf[i++];
      if (b === undefined) throw new Error('truncated');
      v += (b & 0x7f) * 2 ** s;
      if (b < 0x80) return v;
      s += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const wire = key % 8;
    const num = Math.floor(key / 8);
    if (wire === 2) {
      const len = varint();
      const s = buf.subarray(i, i + len);
      i += len;
      if (num === field) return s.toString('utf8');
    } else if (wire === 0) varint();
    else if (wire === 5) i += 4;
    else if (wire === 1) i += 8;
    else return undefined;
  }
  return undefined;
}

/** Resolves with the runtime version string, or rejects (socket missing, not serving yet, deadline). */
export async function criVersion(socketPath: string, deadlineMs = 2000): Promise<string> {
  const channel = createGrpcChannel(socketPath);
  const req = Buffer.from([0x0a, 0x02, 0x76, 0x31]); // field 1 = "v1"
  try {
    const res = await channel.unary('/runtime.v1.RuntimeService/Version', req, deadlineMs);
    return readStringField(res, 3) ?? '';
  } finally {
    channel.close();
  }
}
