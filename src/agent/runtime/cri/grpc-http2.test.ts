import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as http2 from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGrpcChannel, decodeGrpcMessage, GrpcError, GrpcStatus, grpcTimeout, isGrpcError } from './grpc-http2.js';

const dir = mkdtempSync(join(tmpdir(), 'grpc-http2-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Seen {
  path: string;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  rstCode?: number;
}

function frame(msg: Buffer): Buffer {
  const f = Buffer.alloc(5 + msg.length);
  f.writeUInt32BE(msg.length, 1);
  msg.copy(f, 5);
  return f;
}

/** A gRPC-ish test server on a unix socket: Echo, Fail, TrailersOnly, Http503, Slow, Big. */
async function startServer(sock: string, tag = '') {
  const seen: Seen[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createServer();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    const chunks: Buffer[] = [];
    const rec: Seen = { path, headers, body: Buffer.alloc(0) };
    seen.push(rec);
    stream.on('close', () => {
      rec.rstCode = stream.rstCode;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      rec.body = Buffer.concat(chunks);
      const ok = { ':status': 200, 'content-type': 'application/grpc' };
      switch (path) {
        case '/t.S/Echo':
          stream.respond(ok, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(frame(Buffer.concat([rec.body.subarray(5), Buffer.from(tag)])));
          break;
        case '/t.S/Fail':
          stream.respond(ok, { waitForTrailers: true });
          stream.on('wantTrailers', () =>
            stream.sendTrailers({ 'grpc-status': '5', 'grpc-message': 'no%20such%20thing%3A%20%E2%9C%93%25' }),
          );
          stream.end();
          break;
        case '/t.S/TrailersOnly':
          stream.respond({ ...ok, 'grpc-status': '7', 'grpc-message': 'denied' }, { endStream: true });
          break;
        case '/t.S/Http503':
          stream.respond({ ':status': 503 }, { endStream: true });
          break;
        case '/t.S/Big':
          stream.respond(ok, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(frame(Buffer.alloc(1000, 1)));
          break;
        case '/t.S/Slow':
          break; // never answers
        default:
          stream.respond({ ...ok, 'grpc-status': '12' }, { endStream: true });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(sock, () => resolve());
  });
  return {
    seen,
    async stop() {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const sock = join(dir, 'a.sock');

test('helpers: grpc-timeout units, percent-decoding', () => {
  assert.equal(grpcTimeout(1500), '1500m');
  assert.equal(grpcTimeout(99_999_999), '99999999m');
  assert.equal(grpcTimeout(100_000_000), '100000S');
  assert.equal(decodeGrpcMessage('a%20b%E2%9C%93'), 'a b✓');
  assert.equal(decodeGrpcMessage('100%'), '100%');
});

test('unary calls: success, error status, trailers-only, HTTP errors, deadline, sizes', async () => {
  const srv = await startServer(sock);
  const ch = createGrpcChannel(sock, { maxMessageBytes: 500 });
  try {
    const res = await ch.unary('/t.S/Echo', Buffer.from('hello'), 5000);
    assert.equal(res.toString(), 'hello');
    const h = srv.seen[0]?.headers;
    assert.equal(h?.[':method'], 'POST');
    assert.equal(h?.['content-type'], 'application/grpc');
    assert.equal(h?.te, 'trailers');
    assert.equal(h?.['grpc-timeout'], '5000m');
    assert.equal(srv.seen[0]?.body.toString('hex'), '0000000005' + Buffer.from('hello').toString('hex'));
    assert.equal((await ch.unary('/t.S/Echo', Buffer.alloc(0), 5000)).length, 0);

    await assert.rejects(ch.unary('/t.S/Fail', Buffer.alloc(0), 5000), (e: unknown) => {
      assert.ok(e instanceof GrpcError && isGrpcError(e));
      assert.equal(e.code, GrpcStatus.NOT_FOUND);
      assert.equal(e.details, 'no such thing: ✓%');
      return true;
    });
    await assert.rejects(ch.unary('/t.S/TrailersOnly', Buffer.alloc(0), 5000), { code: GrpcStatus.PERMISSION_DENIED, details: 'denied' });
    await assert.rejects(ch.unary('/t.S/Nope', Buffer.alloc(0), 5000), { code: GrpcStatus.UNIMPLEMENTED });
    await assert.rejects(ch.unary('/t.S/Http503', Buffer.alloc(0), 5000), { code: GrpcStatus.UNAVAILABLE });

    const t0 = Date.now();
    await assert.rejects(ch.unary('/t.S/Slow', Buffer.alloc(0), 150), { code: GrpcStatus.DEADLINE_EXCEEDED });
    assert.ok(Date.now() - t0 < 2000);
    await new Promise((r) => setTimeout(r, 50));
    const slow = srv.seen.find((s) => s.path === '/t.S/Slow');
    assert.equal(slow?.rstCode, http2.constants.NGHTTP2_CANCEL, 'the stream is cancelled on the server side');

    await assert.rejects(ch.unary('/t.S/Big', Buffer.alloc(0), 5000), { code: GrpcStatus.RESOURCE_EXHAUSTED });
    await assert.rejects(ch.unary('/t.S/Echo', Buffer.alloc(501), 5000), { code: GrpcStatus.RESOURCE_EXHAUSTED });
    // the session survives all of that
    assert.equal((await ch.unary('/t.S/Echo', Buffer.from('again'), 5000)).toString(), 'again');
  } finally {
    ch.close();
    await srv.stop();
  }
});

test('no server is UNAVAILABLE; the client reconnects after a server restart', async () => {
  const path = join(dir, 'b.sock');
  const ch = createGrpcChannel(path);
  try {
    await assert.rejects(ch.unary('/t.S/Echo', Buffer.from('x'), 2000), { code: GrpcStatus.UNAVAILABLE });
    const one = await startServer(path, '-1');
    assert.equal((await ch.unary('/t.S/Echo', Buffer.from('x'), 2000)).toString(), 'x-1');
    await one.stop();
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(ch.unary('/t.S/Echo', Buffer.from('x'), 2000), { code: GrpcStatus.UNAVAILABLE });
    const two = await startServer(path, '-2');
    try {
      assert.equal((await ch.unary('/t.S/Echo', Buffer.from('y'), 2000)).toString(), 'y-2');
      assert.equal((await ch.unary('/t.S/Echo', Buffer.from('z'), 2000)).toString(), 'z-2');
    } finally {
      await two.stop();
    }
  } finally {
    ch.close();
  }
});

test('an idle client does not keep the process alive', async () => {
  const path = join(dir, 'c.sock');
  const srv = await startServer(path);
  try {
    const mod = new URL('./grpc-http2.js', import.meta.url).href;
    const script = `const { createGrpcChannel } = await import(${JSON.stringify(mod)});
      const ch = createGrpcChannel(${JSON.stringify(path)});
      const r = await ch.unary('/t.S/Echo', Buffer.from('idle'), 3000);
      console.log(r.toString());`;
    const t0 = Date.now();
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 8000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message} ${stderr}`));
        else resolve(stdout);
      });
    });
    assert.equal(out.trim(), 'idle');
    assert.ok(Date.now() - t0 < 8000);
    assert.equal(srv.seen.length, 1);
  } finally {
    await srv.stop();
  }
});
