// Preloaded into the Windows node.exe when tests run it under Wine (`node.exe -r preload.cjs ...`);
// test-only, never part of Tandem. It works around two gaps of Wine 8.0 that real Windows does not have:
//
// 1. Stdio: when a Linux process hands node.exe a pipe or socket as stdin/stdout/stderr, libuv classifies
//    it as a Windows pipe and fails to open it (EBADF on first use of process.stdout/stderr/stdin).
//    Streams that throw are replaced by plain ones doing synchronous reads/writes on the raw fd, which Wine
//    serves fine. (Files and ptys work anyway; the harness redirects to files, this covers the rest.)
// 2. Keepalive: Wine's setsockopt lacks TCP_KEEPALIVE, and libuv applies a keepalive asked for before
//    the connection exists inside connect(), so the connect fails with UNKNOWN (this breaks fetch()).
//    Such calls are put off until the socket is connected, where Wine accepts them.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a module preloaded with -r is CommonJS */
const fs = require('node:fs');
const net = require('node:net');
const { Writable } = require('node:stream');

function fdWriter(fd) {
  return new Writable({
    write(chunk, _encoding, done) {
      try {
        fs.writeSync(fd, chunk);
        done();
      } catch (e) {
        done(e);
      }
    },
  });
}

function replaceIfBroken(name, make) {
  try {
    void process[name];
  } catch {
    const stream = make();
    Object.defineProperty(process, name, { configurable: true, enumerable: true, get: () => stream });
  }
}

replaceIfBroken('stdout', () => Object.assign(fdWriter(1), { fd: 1, isTTY: false }));
replaceIfBroken('stderr', () => Object.assign(fdWriter(2), { fd: 2, isTTY: false }));
replaceIfBroken('stdin', () => Object.assign(fs.createReadStream(null, { fd: 0, autoClose: false }), { fd: 0, isTTY: false }));

const setKeepAlive = net.Socket.prototype.setKeepAlive;
net.Socket.prototype.setKeepAlive = function (...args) {
  if (!this.connecting) return setKeepAlive.apply(this, args);
  this.once('connect', () => {
    try {
      setKeepAlive.apply(this, args);
    } catch {
      // a keepalive Wine refuses even on a connected socket is not worth failing the connection for
    }
  });
  return this;
};
