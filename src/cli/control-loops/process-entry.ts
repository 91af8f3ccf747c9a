// The entry of a control-loop host in a child process of `tandem server` (`--control-loops
// process`): its configuration comes as the first IPC message (never argv: it holds tokens and the
// CA key). The child lives only as long as its parent: when the IPC channel closes (the server
// exited, or was killed) it exits too. A terminal's Ctrl-C reaches the whole process group; the
// server stops this host itself, so SIGINT is ignored here, and SIGTERM sent to the child alone ends it.

import { runHost } from './host-run.js';
import { isMessage, type FromHost, type ToHost } from './protocol.js';

if (!process.send) throw new Error('the control-loop process entry runs only as a child with an IPC channel');
const send = process.send.bind(process);
process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => process.exit(0));

const handlers: Array<(m: ToHost) => void> = [];
// the last message sent: the host ends only once its last words (stopped) are on the channel
let flushed: Promise<void> = Promise.resolve();
const post = (m: FromHost) => {
  flushed = new Promise((res) => send(m, undefined, {}, () => res()));
};
process.on('message', (m: unknown) => {
  if (!isMessage<ToHost>(m)) return;
  if (m.t === 'config') {
    runHost(m.config, { send: post, onMessage: (cb) => handlers.push(cb) }, (code) => void flushed.then(() => process.exit(code)));
    return;
  }
  for (const h of handlers) h(m);
});
