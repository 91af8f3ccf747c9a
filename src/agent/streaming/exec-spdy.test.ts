import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { bridgeExecSpdy } from './exec-spdy.js';
import { CLOSE, STATUS, STDIN, STDOUT, V5, exitCodeOf, frame, unframe } from './channel.js';
import { createSpdyServerConnection, type SpdyStream } from './spdy.js';

/** A runtime stream server speaking SPDY/3.1 + v4.channel.k8s.io: `cat` that reports exit code 7. */
async function fakeRuntime(): Promise<{ url: string; seen: string[]; close(): void }> {
  const seen: string[] = [];
  const server = createServer((socket: Socket) => {
    let head = '';
    const onData = (c: Buffer) => {
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      assert.match(head, /^POST \/exec\/token1 HTTP\/1\.1/);
      assert.match(head, /X-Stream-Protocol-Version: v4\.channel\.k8s\.io/i);
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n',
      );
      const conn = createSpdyServerConnection(socket);
      const streams = new Map<string, SpdyStream>();
      conn.on('stream', (s) => {
        const type = s.headers['streamtype'] ?? '';
        seen.push(type);
        s.respond(200, {});
        streams.set(type, s);
        if (type !== 'stdin') return;
        const input: Buffer[] = [];
        s.on('data', (d: Buffer) => input.push(d));
        s.on('end', () => {
          // stdin EOF arrived: answer like `cat; exit 7`
          const out = streams.get('stdout');
          out?.end(Buffer.concat(input));
          streams.get('stderr')?.end();
          streams.get('error')?.end(
            JSON.stringify({
              metadata: {},
              status: 'Failure',
              reason: 'NonZeroExitCode',
              details: { causes: [{ reason: 'ExitCode', message: '7' }] },
            }),
          );
        });
        s.resume();
      });
      conn.on('error', () => undefined);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/exec/token1`, seen, close: () => server.close() };
}

test('exec over SPDY passes stdin, its EOF, stdout and the exit status', { timeout: 10_000 }, async () => {
  const rt = await fakeRuntime();
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => V5 });
  await new Promise<void>((r) => wss.once('listening', r));
  const bridged = new Promise<void>((resolve) => {
    wss.once('connection', (ws) => {
      void bridgeExecSpdy({ client: ws, runtimeUrl: rt.url, streams: { stdin: true, stdout: true, stderr: true, tty: false } }).then(
        resolve,
      );
    });
  });
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, [V5]);
  const stdout: Buffer[] = [];
  let status: unknown;
  const closed = new Promise<void>((r) => client.once('close', () => r()));
  client.on('message', (d: Buffer) => {
    const f = unframe(d);
    if (f?.channel === STDOUT) stdout.push(f.data);
    if (f?.channel === STATUS) status = JSON.parse(f.data.toString('utf8'));
  });
  await new Promise<void>((r) => client.once('open', () => r()));
  // more than SPDY's initial 64 KiB window, in several frames, sent before the bridge is ready
  const big = Buffer.alloc(200_000, 'x');
  for (let i = 0; i < big.length; i += 50_000) client.send(frame(STDIN, big.subarray(i, i + 50_000)));
  client.send(frame(STDIN, 'tail'));
  client.send(Buffer.from([CLOSE, STDIN]));
  await closed;
  await bridged;
  const out = Buffer.concat(stdout).toString('utf8');
  assert.equal(out.length, 200_004);
  assert.ok(out.endsWith('xtail'));
  assert.equal(exitCodeOf(status), 7);
  assert.deepEqual(rt.seen, ['error', 'stdin', 'stdout', 'stderr']);
  wss.close();
  rt.close();
});
