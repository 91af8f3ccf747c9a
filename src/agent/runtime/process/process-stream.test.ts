// Direct exec and attach of the process runtime through the streaming server's upgrade handler:
// a real WebSocket client speaking v5.channel.k8s.io, real processes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { nullLogger } from '../../../base/log.js';
import { createUpgradeHandler } from '../../streaming/upgrades.js';
import { CLOSE, STATUS, STDERR, STDIN, STDOUT, V4, V5, frame } from '../../streaming/channel.js';
import { createProcessRuntime } from './process-runtime.js';
import { createDirImageSource } from './testing/dir-image-source.js';

const linux = process.platform === 'linux';

async function session(port: number, path: string, protocol: string, send: (ws: WebSocket) => void) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, [protocol]);
  const got: Record<number, string> = {};
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => send(ws));
    ws.on('message', (d: Buffer) => (got[d[0]!] = (got[d[0]!] ?? '') + d.subarray(1).toString()));
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
  return got;
}

test('exec through the upgrade handler: stdin, its v5 close, stdout, stderr and a non-zero exit', { skip: !linux }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'proc-stream-'));
  await mkdir(join(dataDir, 'img'));
  const images = createDirImageSource({ 'img:1': { dir: join(dataDir, 'img') } });
  const rt = createProcessRuntime({ dataDir, images, os: 'linux', hostIPs: ['127.0.0.1'], cgroupMount: join(dataDir, 'none') });
  const sbCfg = {
    name: 'p',
    namespace: 'ns',
    uid: 'u',
    attempt: 0,
    hostname: 'p',
    logDirectory: join(dataDir, 'logs'),
    portMappings: [],
    labels: {},
    annotations: {},
    runtimeHandler: 'process',
  };
  const sb = await rt.runPodSandbox(sbCfg);
  await rt.pullImage('img:1');
  const cmd = ['/bin/sh', '-c', 'i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.2; done'];
  const id = await rt.createContainer(
    sb,
    {
      name: 'c',
      attempt: 0,
      image: 'img:1',
      command: cmd,
      args: [],
      envs: [],
      mounts: [],
      logPath: 'c/0.log',
      labels: {},
      annotations: {},
    },
    sbCfg,
  );
  await rt.startContainer(id);
  const onUpgrade = createUpgradeHandler({
    runtime: rt,
    log: nullLogger,
    podLookup: () => ({ uid: 'u', sandboxId: sb, containers: new Map([['c', id]]), logDir: sbCfg.logDirectory }),
  });
  const server = createServer();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    onUpgrade(req, socket, head, url.pathname.split('/').filter(Boolean), url.searchParams);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const q = (c: string) => `command=/bin/sh&command=-c&command=${encodeURIComponent(c)}&stdin=true&stdout=true&stderr=true`;
    const v5 = await session(port, `/exec/ns/p/c?${q('cat; echo oops >&2; exit 5')}`, V5, (ws) => {
      ws.send(frame(STDIN, 'hello '));
      ws.send(frame(STDIN, 'world'));
      ws.send(Buffer.from([CLOSE, STDIN]));
    });
    assert.equal(v5[STDOUT], 'hello world');
    assert.equal(v5[STDERR], 'oops\n');
    const status = JSON.parse(v5[STATUS] ?? '{}') as Record<string, unknown>;
    assert.equal(status['status'], 'Failure');
    assert.equal(status['reason'], 'NonZeroExitCode');
    assert.deepEqual(status['details'], { causes: [{ reason: 'ExitCode', message: '5' }] });

    const v4 = await session(port, `/exec/ns/p/c?${q('echo "$CONTAINER_SANDBOX_MOUNT_POINT"')}`, V4, () => undefined);
    assert.equal(v4[STDOUT]?.trim(), join(dataDir, 'process', 'containers', id, 'root'));
    assert.deepEqual(JSON.parse(v4[STATUS] ?? '{}'), { metadata: {}, status: 'Success' });

    // attach follows the container's output from now on, and ends with the container
    const attach = new WebSocket(`ws://127.0.0.1:${port}/attach/ns/p/c?stdout=true&stderr=true`, [V5]);
    const seen: string[] = [];
    const closed = new Promise<void>((r) => attach.on('close', () => r()));
    attach.on('message', (d: Buffer) => seen.push(`${d[0]}:${d.subarray(1).toString()}`));
    await new Promise((r) => setTimeout(r, 1200));
    await rt.stopContainer(id, 2);
    await closed;
    const ticks = seen.filter((s) => s.startsWith(`${STDOUT}:tick`));
    assert.ok(ticks.length >= 2, `attach saw the output: ${seen.join(' | ')}`);
    assert.ok(!ticks.some((t) => t === `${STDOUT}:tick0\n`), 'only output written after the attach');
    assert.match(seen.at(-1) ?? '', /^3:.*NonZeroExitCode.*143/);

    // attach with stdin: refused before the upgrade, with the reason
    const refused = new WebSocket(`ws://127.0.0.1:${port}/attach/ns/p/c?stdin=true&stdout=true`, [V5]);
    const answer = await new Promise<string>((r) => refused.on('unexpected-response', (_q, res) => r(String(res.statusCode))));
    assert.equal(answer, '500');
  } finally {
    server.close();
    await rt.removePodSandbox(sb);
    await rm(dataDir, { recursive: true, force: true });
  }
});
