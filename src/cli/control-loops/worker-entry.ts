// The entry of a control-loop host in a worker thread of `tandem server`: its configuration comes
// as workerData, its messages go through parentPort. An uncaught exception ends the thread; the
// server logs it and starts another (launcher.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { runHost } from './host-run.js';
import type { HostConfig, ToHost } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('the control-loop worker entry runs only in a worker thread');
runHost(
  workerData as HostConfig,
  { send: (m) => port.postMessage(m), onMessage: (cb) => port.on('message', (m: ToHost) => cb(m)) },
  (code) => process.exit(code),
);
