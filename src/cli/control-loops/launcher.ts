// Where `tandem server` runs its scheduler and controllers: in a worker thread (default), a child
// process, or inline on the API server's own event loop (`--control-loops thread|process|inline`).
// Off the event loop, the API server and the control loops use both cores (docs/architecture.md,
// "Control loops off the API server's event loop", has the measurement behind the default).
//
// The host is supervised: when it crashes (an uncaught exception in the thread, the child killed)
// the server logs why and starts a new one after a back-off. The new host holds the same leader
// identity, so it takes the Lease back at once, and its components rebuild their queues from fresh
// informer lists, so what changed while no host ran still converges.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../base/log.js';
import type { Controllers } from '../controllers.js';
import { isMessage, type ControlLoopsMode, type FromHost, type HostConfig, type ToHost } from './protocol.js';

export interface ControlLoops extends Controllers {
  /** where the control loops run now: the mode, the child's pid or the worker's threadId, and the restarts so far */
  host(): { mode: ControlLoopsMode; pid?: number; threadId?: number; restarts: number };
  /** test hook: an uncaught exception in the host (thread or process) */
  crash(): void;
}

/** The first back-off after a crash; it doubles per crash up to MAX_BACKOFF_MS, and starts over after a host ran HEALTHY_MS. */
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
const HEALTHY_MS = 60_000;
/** how long a host may take to stop its components (release the Lease) before it is ended */
const STOP_GRACE_MS = 5000;

interface HostHandle {
  send(m: ToHost): void;
  kill(): void;
  pid?: number;
  threadId?: number;
  exited: Promise<void>;
}

interface HostEvents {
  message(m: FromHost): void;
  crashed(error: unknown): void;
  exit(how: string): void;
}

function spawnThread(cfg: HostConfig, on: HostEvents): HostHandle {
  const w = new Worker(new URL('./worker-entry.js', import.meta.url), { workerData: cfg });
  w.on('message', (m: unknown) => {
    if (isMessage<FromHost>(m)) on.message(m);
  });
  w.on('error', (e) => on.crashed(e));
  const exited = new Promise<void>((res) =>
    w.once('exit', (code) => {
      on.exit(`exit code ${code}`);
      res();
    }),
  );
  return { send: (m) => w.postMessage(m), kill: () => void w.terminate(), threadId: w.threadId, exited };
}

/** Node flags a child host keeps: none of the server's profiling or --import hooks, only what changes how code runs. */
const childExecArgv = () => process.execArgv.filter((a) => a === '--enable-source-maps' || a.startsWith('--max-old-space-size'));

function spawnProcess(cfg: HostConfig, on: HostEvents): HostHandle {
  const c = fork(fileURLToPath(new URL('./process-entry.js', import.meta.url)), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: childExecArgv(),
  });
  c.on('message', (m: unknown) => {
    if (isMessage<FromHost>(m)) on.message(m);
  });
  c.on('error', (e) => on.crashed(e));
  const exited = new Promise<void>((res) =>
    c.once('exit', (code, signal) => {
      on.exit(signal ? `signal ${signal}` : `exit code ${code}`);
      res();
    }),
  );
  const send = (m: ToHost) => {
    if (c.connected) c.send(m);
  };
  send({ t: 'config', config: cfg });
  return { send, kill: () => void c.kill('SIGKILL'), ...(c.pid ? { pid: c.pid } : {}), exited };
}

/** The control loops in the server's own process and event loop (`--control-loops inline`). */
export function inlineControlLoops(c: Controllers): ControlLoops {
  return {
    ...c,
    host: () => ({ mode: 'inline', restarts: 0 }),
    crash: () => {
      throw new Error('inline control loops have no host to crash');
    },
  };
}

/** Starts a supervised host (`thread` or `process`) running the components of `cfg`; its log lines go to `log`. */
export function startControlLoopHost(mode: 'thread' | 'process', cfg: HostConfig, log: Logger): ControlLoops {
  const slog = log.child('control-loops');
  const loggers = new Map<string, Logger>();
  const loggerOf = (component: string) => {
    let l = loggers.get(component);
    if (!l) loggers.set(component, (l = component ? log.child(component) : log));
    return l;
  };
  let resolveReady!: () => void;
  const readyP = new Promise<void>((r) => (resolveReady = r));
  let leader = false;
  let stopping = false;
  let restarts = 0;
  let backoff = FIRST_BACKOFF_MS;
  let current: HostHandle | undefined;
  let restartTimer: NodeJS.Timeout | undefined;

  const launch = () => {
    restartTimer = undefined;
    if (stopping) return;
    const startedAt = Date.now();
    const events: HostEvents = {
      message: (m) => {
        if (m.t === 'log') loggerOf(m.component)[m.level](m.msg, m.fields);
        else if (m.t === 'leader') leader = m.leading;
        else if (m.t === 'ready') resolveReady();
      },
      crashed: (e) => slog.error('control-loop host crashed', { mode, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
      exit: (how) => {
        leader = false;
        if (current === handle) current = undefined;
        if (stopping) return;
        if (Date.now() - startedAt > HEALTHY_MS) backoff = FIRST_BACKOFF_MS;
        slog.error('control-loop host exited: restarting it', { mode, how, backoffMs: backoff });
        restarts++;
        restartTimer = setTimeout(launch, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      },
    };
    const handle = mode === 'thread' ? spawnThread(cfg, events) : spawnProcess(cfg, events);
    current = handle;
  };
  launch();
  slog.info('scheduler and controllers started off the API server event loop', { mode });

  return {
    ready: () => readyP,
    isLeader: () => leader,
    host: () => ({
      mode,
      restarts,
      ...(current?.pid !== undefined ? { pid: current.pid } : {}),
      ...(current?.threadId !== undefined ? { threadId: current.threadId } : {}),
    }),
    crash: () => current?.send({ t: 'crash' }),
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const h = current;
      if (!h) return;
      const kill = setTimeout(() => {
        slog.warn(`control-loop host did not stop in ${STOP_GRACE_MS} ms: ending it`, { mode });
        h.kill();
      }, STOP_GRACE_MS);
      h.send({ t: 'stop' });
      await h.exited;
      clearTimeout(kill);
    },
  };
}
