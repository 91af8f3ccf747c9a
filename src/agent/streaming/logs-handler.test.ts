// The container log endpoint over the runtime's view of the pods: a finished pod (stopped sandbox,
// exited container) and a restarted container's previous attempt are served from their log files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusError } from '../../base/errors.js';
import type { ContainerConfig, SandboxConfig } from '../runtime/runtime.js';
import { createFakeContainerRuntime } from '../testing/fake-container-runtime.js';
import { handleContainerLogs } from './logs-handler.js';
import { createRuntimePodLookup } from './runtime-pod-lookup.js';

const labels = { 'io.kubernetes.pod.namespace': 'jobs', 'io.kubernetes.pod.name': 'once', 'io.kubernetes.pod.uid': 'u-once' };
const sandbox: SandboxConfig = {
  name: 'once',
  namespace: 'jobs',
  uid: 'u-once',
  attempt: 0,
  hostname: 'once',
  logDirectory: '',
  portMappings: [],
  labels,
  annotations: {},
  runtimeHandler: '',
  linux: {},
};
const container = (name: string, attempt: number): ContainerConfig => ({
  name,
  attempt,
  image: 'busybox',
  command: [],
  args: [],
  envs: [],
  mounts: [],
  logPath: `${name}/${attempt}.log`,
  labels: { ...labels, 'io.kubernetes.container.name': name },
  annotations: {},
  linux: {},
});
const line = (t: string, msg: string) => `2026-01-01T00:00:0${t}.250000000Z stdout F ${msg}\n`;

test('logs of a finished pod and --previous of a restarted container come from the files on disk', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'logs-handler-'));
  const rt = createFakeContainerRuntime({ images: ['busybox'] });
  const lookup = createRuntimePodLookup(rt, dir, 60_000);
  const server = createServer((req, res) => {
    const [, , ns, pod, name] = (req.url ?? '').split('?')[0]!.split('/');
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    handleContainerLogs(
      req,
      res,
      q,
      { ns: ns!, pod: pod!, container: name! },
      { podLookup: lookup.lookup, runtime: rt, now: Date.now, pollMs: 20 },
    ).catch((e: unknown) => {
      const se = e instanceof StatusError ? e : new StatusError(500, 'InternalError', String(e));
      res.writeHead(se.code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(se.toStatus()));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const get = async (path: string) => {
    const r = await fetch(`http://127.0.0.1:${port}/containerLogs/${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: r.status, text: await r.text() };
  };
  t.after(async () => {
    lookup.stop();
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const logDir = join(dir, 'logs', 'pods', 'jobs_once_u-once');
  await mkdir(join(logDir, 'main'), { recursive: true });
  await writeFile(join(logDir, 'main', '0.log'), line('1', 'first run'));
  await writeFile(join(logDir, 'main', '1.log'), line('2', 'hello'));
  const sb = await rt.runPodSandbox({ ...sandbox, logDirectory: logDir });
  const first = await rt.createContainer(sb, container('main', 0), sandbox);
  await rt.startContainer(first);
  rt.exit(first, 1);
  const second = await rt.createContainer(sb, container('main', 1), sandbox);
  await rt.startContainer(second);
  rt.exit(second, 0);
  await rt.stopPodSandbox(sb);

  const now = await get('jobs/once/main');
  assert.deepEqual(now, { status: 200, text: 'hello\n' }, 'the last run of a Completed pod');
  assert.deepEqual(await get('jobs/once/main?previous=true'), { status: 200, text: 'first run\n' }, 'the run before it');
  assert.deepEqual(await get('jobs/once/main?follow=true'), { status: 200, text: 'hello\n' }, 'following an exited container ends');
  const ts = await get('jobs/once/main?timestamps=true');
  assert.equal(ts.text, '2026-01-01T00:00:02.25Z hello\n');
  const missing = await get('jobs/gone/main');
  assert.equal(missing.status, 404);
  assert.match(missing.text, /pods \\"gone\\" not found/);
  const other = await get('jobs/once/side');
  assert.equal(other.status, 400);
  assert.match(other.text, /container \\"side\\" in pod \\"once\\" is not available/);

  // once the pod is deleted, the runtime no longer holds it: not found
  await rt.removePodSandbox(sb);
  await lookup.refresh();
  assert.equal((await get('jobs/once/main')).status, 404);
});
