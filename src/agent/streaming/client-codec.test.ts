import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { CLIENT_EXEC_PROTOCOLS, V4_BASE64, clientCodec } from './client-codec.js';
import { bridgeDirect } from './direct-bridge.js';
import { pickProtocol } from './channel.js';

test('binary protocols read the channel from the first byte of binary and text frames alike', () => {
  for (const p of ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io']) {
    const c = clientCodec(p);
    assert.deepEqual(c.read(Buffer.from([0, 104, 105]), true), { channel: 0, data: Buffer.from('hi') });
    // the Python client: a text frame "\u0000hi"
    assert.deepEqual(c.read(Buffer.from('\u0000hi'), false), { channel: 0, data: Buffer.from('hi') });
    assert.deepEqual(c.read(Buffer.from('\u0004{"Width":80,"Height":24}'), false)?.channel, 4);
    assert.equal(c.read(Buffer.alloc(0), false), undefined);
  }
});

test('base64 protocols: an ASCII digit, then base64, in and out', () => {
  for (const p of [V4_BASE64, 'base64.channel.k8s.io']) {
    const c = clientCodec(p);
    assert.deepEqual(c.read(Buffer.from('0aGVsbG8='), false), { channel: 0, data: Buffer.from('hello') });
    assert.deepEqual(c.read(Buffer.from('0aGVsbG8='), true), { channel: 0, data: Buffer.from('hello') });
    assert.equal(c.read(Buffer.from('xaGVsbG8='), false), undefined);
    assert.equal(c.write(1, Buffer.from('out')), `1${Buffer.from('out').toString('base64')}`);
  }
});

test('v4 and v5 send the Status on channel 3; pre-v4 protocols only a failure message', () => {
  const ok = JSON.stringify({ metadata: {}, status: 'Success' });
  const bad = JSON.stringify({ metadata: {}, status: 'Failure', message: 'boom' });
  assert.deepEqual(clientCodec('v4.channel.k8s.io').write(3, ok), Buffer.from(`\u0003${ok}`));
  assert.equal(clientCodec('channel.k8s.io').write(3, ok), undefined);
  assert.deepEqual(clientCodec('channel.k8s.io').write(3, bad), Buffer.from('\u0003boom'));
  assert.equal(clientCodec('base64.channel.k8s.io').write(3, bad), `3${Buffer.from('boom').toString('base64')}`);
});

test('protocol choice: v5 first, then v4, the base64 and pre-v4 ones when that is all a client offers', () => {
  assert.equal(pickProtocol(['v4.channel.k8s.io', 'v5.channel.k8s.io'], CLIENT_EXEC_PROTOCOLS), 'v5.channel.k8s.io');
  assert.equal(pickProtocol(['v4.base64.channel.k8s.io'], CLIENT_EXEC_PROTOCOLS), V4_BASE64);
  assert.equal(pickProtocol(['base64.channel.k8s.io', 'channel.k8s.io'], CLIENT_EXEC_PROTOCOLS), 'channel.k8s.io');
});

/** An exec session with a `cat` behind it, bridged to one raw WebSocket client speaking `protocol`. */
async function catSession(protocol: string, send: (ws: WebSocket) => void): Promise<{ messages: { data: Buffer; binary: boolean }[] }> {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (offered) => pickProtocol(offered, CLIENT_EXEC_PROTOCOLS) ?? false,
  });
  await new Promise<void>((r) => wss.once('listening', r));
  wss.once('connection', (ws) => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    stdin.pipe(stdout);
    const exit = new Promise<number>((resolve) => stdout.once('end', () => resolve(0)));
    void bridgeDirect({ client: ws, stream: { stdin, stdout, exit, close: () => stdin.destroy() } });
  });
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, [protocol]);
  const messages: { data: Buffer; binary: boolean }[] = [];
  client.on('message', (d: Buffer, binary) => messages.push({ data: d, binary }));
  const closed = new Promise<void>((r) => client.once('close', () => r()));
  await new Promise<void>((r) => client.once('open', () => r()));
  assert.equal(client.protocol, protocol);
  send(client);
  await closed;
  wss.close();
  return { messages };
}

test('stdin in TEXT frames reaches the process (v4, as the Python client sends it), and its EOF on v5', { timeout: 10_000 }, async () => {
  const { messages } = await catSession('v5.channel.k8s.io', (ws) => {
    ws.send('\u0000hello ', { binary: false });
    ws.send(Buffer.from('\u0000world'), { binary: true });
    ws.send(Buffer.from([255, 0]), { binary: true });
  });
  const out = messages.filter((m) => m.data[0] === 1).map((m) => m.data.subarray(1).toString());
  assert.equal(out.join(''), 'hello world');
  assert.ok(messages.some((m) => m.data[0] === 3 && m.data.subarray(1).toString().includes('Success')));
});

test('v4.base64.channel.k8s.io: base64 stdin in, base64 text frames out', { timeout: 10_000 }, async () => {
  const { messages } = await catSession(V4_BASE64, (ws) => {
    ws.send(`0${Buffer.from('über').toString('base64')}`);
    // v4 has no stdin EOF: the client closes, which ends the session
    setTimeout(() => ws.close(), 200);
  });
  const out = messages.filter((m) => m.data.toString().startsWith('1'));
  assert.ok(out.length > 0, 'stdout came back');
  assert.ok(
    out.every((m) => !m.binary),
    'as text frames',
  );
  assert.equal(Buffer.concat(out.map((m) => Buffer.from(m.data.toString().slice(1), 'base64'))).toString(), 'über');
});
