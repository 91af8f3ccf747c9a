// Finding containerd on a Windows host. Windows nodes run containerd as a Windows service that the
// host's owner installs and configures (HCS, HNS and the CNI all belong to the host): the agent never
// starts or supervises one itself, it only looks for the named pipe containerd listens on.
import { connect } from 'node:net';

/** containerd's default pipe on Windows (its `defaults` for windows, and what k3s and RKE2 use). */
export const DEFAULT_CONTAINERD_PIPE = '\\\\.\\pipe\\containerd-containerd';

/** The CRI endpoint URL of a pipe: `\\.\pipe\containerd-containerd` → `npipe:////./pipe/containerd-containerd`. */
export function npipeEndpoint(pipe: string): string {
  const m = /^\\\\\.\\pipe\\(.+)$/i.exec(pipe);
  if (!m?.[1]) throw new Error(`not a local named pipe path (\\\\.\\pipe\\NAME): ${pipe}`);
  return `npipe:////./pipe/${m[1]}`;
}

/** Whether something accepts connections on the pipe within timeoutMs (the connection is closed at once). */
export function pipeAnswers(pipe: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(pipe);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.removeAllListeners();
      s.on('error', () => undefined);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}
