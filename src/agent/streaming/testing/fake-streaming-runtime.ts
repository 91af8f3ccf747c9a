// A Runtime stand-in for streaming tests: one sandbox, fixed container stats, and a WebSocket
// v4.channel.k8s.io stream server playing containerd's (exec runs a tiny command interpreter).

import { createServer, type Server } from 'node:http';
import WebSocket, { WebSocketServer } from 'ws';
import type { ContainerStats, ContainerStatus, Runtime, SandboxStatus } from '../../runtime/runtime.js';
import { RuntimeNotFoundError } from '../../runtime/runtime.js';
import { STATUS, STDERR, STDIN, STDOUT, exitStatus, frame } from '../channel.js';

export interface FakeStreamingRuntime extends Runtime {
  streamPort: number;
  sandbox: SandboxStatus;
  containerState: Map<string, ContainerStatus['state']>;
  stats: ContainerStats[];
  /** exec requests seen: command and options */
  execs: { id: string; cmd: string[]; opts: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean } }[];
  /** stdin bytes received per exec session */
  stdinSeen: string[];
}

const notImplemented = (what: string) => () => Promise.reject(new Error(`fake runtime: ${what} not implemented`));

/**
 * Commands understood by the fake exec: `echo ARGS...`, `exit N`, `err TEXT` (stderr), `cat` (echoes
 * stdin back until the client goes away).
 */
export async function createFakeStreamingRuntime(sandbox: SandboxStatus): Promise<FakeStreamingRuntime> {
  const sessions = new Map<string, string[]>();
  let next = 0;
  const http: Server = createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  const wss = new WebSocketServer({ server: http, handleProtocols: (p) => (p.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
  const rt: FakeStreamingRuntime = {
    name: 'fake',
    streamPort: 0,
    sandbox,
    containerState: new Map(),
    stats: [],
    execs: [],
    stdinSeen: [],
    version: () => Promise.resolve({ runtimeName: 'fake', runtimeVersion: '0', runtimeApiVersion: 'v1' }),
    status: () => Promise.resolve([]),
    runtimeHandlers: () => Promise.resolve([]),
    runPodSandbox: notImplemented('runPodSandbox'),
    stopPodSandbox: notImplemented('stopPodSandbox'),
    removePodSandbox: notImplemented('removePodSandbox'),
    podSandboxStatus: (id) => (id === sandbox.id ? Promise.resolve(sandbox) : Promise.reject(new RuntimeNotFoundError(id))),
    listPodSandboxes: () => Promise.resolve([sandbox]),
    createContainer: notImplemented('createContainer'),
    startContainer: notImplemented('startContainer'),
    stopContainer: notImplemented('stopContainer'),
    removeContainer: notImplemented('removeContainer'),
    containerStatus: (id) => {
      const state = rt.containerState.get(id);
      if (!state) return Promise.reject(new RuntimeNotFoundError(id));
      return Promise.resolve({
        id,
        name: id,
        attempt: 0,
        state,
        createdAt: 0,
        startedAt: 0,
        finishedAt: 0,
        exitCode: 0,
        reason: '',
        message: '',
        image: '',
        imageRef: '',
        labels: {},
        annotations: {},
        logPath: '',
      });
    },
    listContainers: () => Promise.resolve([]),
    updateContainerResources: notImplemented('updateContainerResources'),
    reopenContainerLog: notImplemented('reopenContainerLog'),
    execSync: notImplemented('execSync'),
    exec(id, cmd, opts) {
      rt.execs.push({ id, cmd, opts });
      const token = `s${next++}`;
      sessions.set(token, cmd);
      return Promise.resolve(`http://127.0.0.1:${rt.streamPort}/exec/${token}`);
    },
    attach(id, opts) {
      rt.execs.push({ id, cmd: ['<attach>'], opts });
      const token = `s${next++}`;
      sessions.set(token, ['echo', 'attached']);
      return Promise.resolve(`http://127.0.0.1:${rt.streamPort}/exec/${token}`);
    },
    portForward: notImplemented('portForward'),
    pullImage: notImplemented('pullImage'),
    imageStatus: () => Promise.resolve(undefined),
    listImages: () => Promise.resolve([]),
    removeImage: notImplemented('removeImage'),
    listContainerStats: () => Promise.resolve(rt.stats),
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
  wss.on('connection', (ws, req) => {
    const token = (req.url ?? '').split('/').pop() ?? '';
    const cmd = sessions.get(token);
    const send = (ch: number, d: string) => ws.send(frame(ch, d));
    const done = (code: number) => {
      send(STATUS, JSON.stringify(exitStatus(code)));
      ws.close(1000);
    };
    if (!cmd) {
      ws.close(1011);
      return;
    }
    const [c, ...args] = cmd;
    const idx = rt.stdinSeen.push('') - 1;
    ws.on('message', (d: Buffer) => {
      if (d[0] !== STDIN) return;
      rt.stdinSeen[idx] += d.subarray(1).toString();
      if (c === 'cat' && ws.readyState === WebSocket.OPEN) send(STDOUT, d.subarray(1).toString());
    });
    if (c === 'echo') {
      send(STDOUT, `${args.join(' ')}\n`);
      done(0);
    } else if (c === 'exit') done(Number(args[0] ?? 0));
    else if (c === 'err') {
      send(STDERR, `${args.join(' ')}\n`);
      done(1);
    } else if (c === 'cat') {
      /* until the client goes away */
    } else {
      send(STDERR, `fake: unknown command ${String(c)}\n`);
      done(127);
    }
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const a = http.address();
  rt.streamPort = typeof a === 'object' && a ? a.port : 0;
  return rt;
}
