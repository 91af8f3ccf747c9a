import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex, PassThrough } from 'node:stream';
import { createServer, connect, type Socket } from 'node:net';
import { createPortForwardSession, parseStreamHeaders, type PortForwardStream } from './portforward-spdy.js';

test('stream headers: type, request id and port', () => {
  assert.deepEqual(parseStreamHeaders({ streamtype: 'data', port: '80', requestid: '0' }), { type: 'data', requestId: '0', port: 80 });
  assert.deepEqual(parseStreamHeaders({ streamtype: 'error', port: '80', requestid: '1' }), { type: 'error', requestId: '1', port: 80 });
  assert.match(String(parseStreamHeaders({ streamtype: 'data', requestid: '0' })), /without a port/);
  assert.match(String(parseStreamHeaders({ streamtype: 'data', port: '99999', requestid: '0' })), /invalid port/);
  assert.match(String(parseStreamHeaders({ streamtype: 'bogus' })), /invalid stream type/);
});

/** A fake SPDY stream: what we write comes out of `remote`, what `remote` gets written is read by us. */
function fakeStream(headers: Record<string, string>) {
  const toUs = new PassThrough();
  const fromUs = new PassThrough();
  const s = new Duplex({
    read() {
      /* pushed below */
    },
    write(chunk: Buffer, _enc, cb) {
      fromUs.write(chunk);
      cb();
    },
    final(cb) {
      fromUs.end();
      cb();
    },
  });
  toUs.on('data', (b: Buffer) => s.push(b));
  toUs.on('end', () => s.push(null));
  const st = s as Duplex & PortForwardStream;
  let responded = 0;
  let aborted = false;
  Object.assign(st, {
    headers,
    respond: () => {
      responded++;
    },
    abort: () => {
      aborted = true;
    },
  });
  return { st, toUs, fromUs, info: () => ({ responded, aborted }) };
}

const readAll = (s: PassThrough) =>
  new Promise<string>((resolve) => {
    const b: Buffer[] = [];
    s.on('data', (c: Buffer) => b.push(c));
    s.on('end', () => resolve(Buffer.concat(b).toString()));
  });

test('a data/error pair is bridged to TCP; both streams end when the pod side closes', async () => {
  const srv = createServer((c) => c.on('data', (b) => c.end(`echo:${b.toString()}`)));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const dials: number[] = [];
  const session = createPortForwardSession({
    dial: (p): Socket => {
      dials.push(p);
      return connect({ host: '127.0.0.1', port: p });
    },
    describe: 'default/web',
  });
  const err = fakeStream({ streamtype: 'error', port: String(port), requestid: '7' });
  const data = fakeStream({ streamtype: 'data', port: String(port), requestid: '7' });
  session.onStream(err.st);
  assert.deepEqual(dials, []); // waits for its pair
  session.onStream(data.st);
  assert.deepEqual(dials, [port]);
  const out = readAll(data.fromUs);
  const errOut = readAll(err.fromUs);
  data.toUs.write('hi');
  assert.equal(await out, 'echo:hi');
  assert.equal(await errOut, '');
  assert.equal(data.info().responded, 1);
  session.close();
  srv.close();
});

test('a failed dial reports on the error stream', async () => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const session = createPortForwardSession({ dial: (p) => connect({ host: '127.0.0.1', port: p }), describe: 'default/web' });
  const err = fakeStream({ streamtype: 'error', port: String(port), requestid: '1' });
  const data = fakeStream({ streamtype: 'data', port: String(port), requestid: '1' });
  const errOut = readAll(err.fromUs);
  session.onStream(err.st);
  session.onStream(data.st);
  assert.match(await errOut, new RegExp(`error forwarding port ${port} to pod default/web: .*ECONNREFUSED`));
  session.close();
});

test('bad headers abort the stream', () => {
  const session = createPortForwardSession({
    dial: () => {
      throw new Error('no dial');
    },
    describe: 'x',
  });
  const s = fakeStream({ streamtype: 'data', requestid: '1' });
  session.onStream(s.st);
  assert.deepEqual(s.info(), { responded: 0, aborted: true });
});
