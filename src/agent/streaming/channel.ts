// The channel framing of Kubernetes' WebSocket streaming protocols (`vN.channel.k8s.io`): every binary
// message starts with a channel byte. Exec/attach: 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize,
// and in v5 255 = close a channel (`[255, 0]` is stdin EOF). Port-forward: per port, a data and an
// error channel whose first message starts with the port as uint16 little-endian.

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const STATUS = 3;
export const RESIZE = 4;
export const CLOSE = 255;

export const V5 = 'v5.channel.k8s.io';
export const V4 = 'v4.channel.k8s.io';

/** The best protocol we speak among those a client offers (`Sec-WebSocket-Protocol`). */
export function pickProtocol(offered: Iterable<string>, supported: readonly string[]): string | undefined {
  const set = new Set([...offered].map((p) => p.trim()));
  return supported.find((p) => set.has(p));
}

export function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  body.copy(out, 1);
  return out;
}

export function unframe(msg: Buffer): { channel: number; data: Buffer } | undefined {
  if (msg.length === 0) return undefined;
  return { channel: msg[0]!, data: msg.subarray(1) };
}

/** The channel-3 Status that ends an exec: success, or the exit code kubectl turns into its own. */
export function exitStatus(exitCode: number): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command, exit status ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

export function errorStatus(message: string): Record<string, unknown> {
  return { metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 };
}

/** Reads a channel-3 Status: exit code 0 for Success, the ExitCode cause, or undefined. */
export function exitCodeOf(status: unknown): number | undefined {
  if (!status || typeof status !== 'object') return undefined;
  const s = status as Record<string, unknown>;
  if (s['status'] === 'Success') return 0;
  const causes = ((s['details'] as Record<string, unknown> | undefined)?.['causes'] as Record<string, unknown>[] | undefined) ?? [];
  const c = causes.find((x) => x['reason'] === 'ExitCode');
  return c ? Number(c['message']) : undefined;
}

/** The first message of a port-forward channel: the port number, uint16 little-endian. */
export function portPrefix(channel: number, port: number): Buffer {
  const b = Buffer.alloc(3);
  b[0] = channel;
  b.writeUInt16LE(port, 1);
  return b;
}

export function parseResize(data: Buffer): { width: number; height: number } | undefined {
  try {
    const v = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    const width = Number(v['Width']);
    const height = Number(v['Height']);
    return Number.isFinite(width) && Number.isFinite(height) ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}
