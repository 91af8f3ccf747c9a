// Archives into the process runtime's image store: every blob checked in, the names recorded, the
// image found by a store that was already open (a running agent) and unpacked; the sample image run
// from its unpacked directory as the process runtime would; corrupt layers refused; ctr's failures
// reported with its own words.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openImageArchive } from './image-archive.js';
import { ctrAddress, importToContainerd, importToStore, type BlobProgress } from './image-import.js';
import { NoMatchingPlatformError } from './image-source.js';
import { createImageStore, processImageRoot } from './image-store.js';
import { createProcessRuntime } from '../runtime/process/index.js';
import type { SandboxConfig } from '../runtime/runtime.js';
import { buildImage, ociArchive } from './oci.js';
import { busyboxPath, isStaticElf } from './rootfs.js';
import { SAMPLE_IMAGE, writeSampleArchive } from './sample-image.js';
import { dockerSaveArchive } from './testing/archives.js';

const work = await mkdtemp(join(tmpdir(), 'tandem-import-'));
after(() => rm(work, { recursive: true, force: true }));
const linux = { os: 'linux', architecture: 'amd64' };
const file = (path: string, data: string) => ({ type: 'file' as const, path, data: Buffer.from(data) });
const img = (name: string, data: string) =>
  buildImage({
    name,
    entries: [file('etc/greeting', data)],
    moreLayers: [[file('etc/.wh.greeting', ''), file('etc/second', data)]],
    cmd: ['x'],
  });

test('an OCI archive into the store: progress per layer, found by an agent that had the store open, unpacked', async () => {
  const root = join(work, 'store-oci');
  const agent = createImageStore({ root, platform: linux });
  assert.equal(await agent.status('docker.io/tandem/a:1'), undefined, 'the agent reads its (empty) index first');
  const i = img('docker.io/tandem/a:1', 'one');
  const f = join(work, 'a.tar');
  await writeFile(f, ociArchive(i));
  const archive = await openImageArchive(f, { platform: linux });
  const events: BlobProgress[] = [];
  const importer = createImageStore({ root, platform: linux });
  const got = await importToStore(importer, archive, archive.images[0] ?? assert.fail('no image'), (e) => events.push(e));
  assert.equal(got.id, i.config.digest);
  assert.deepEqual(got.repoTags, ['docker.io/tandem/a:1']);
  assert.equal(got.ref, `docker.io/tandem/a@${i.manifest.digest}`);
  const done = events.filter((e) => e.done);
  assert.deepEqual(
    done.map((e) => [e.what, e.index, e.count, e.bytes === e.size]),
    [
      ['layer', 1, 2, true],
      ['layer', 2, 2, true],
      ['config', 0, 2, true],
      ['manifest', 0, 2, true],
    ],
  );
  assert.ok(
    events.some((e) => !e.done && e.what === 'layer'),
    'bytes are reported while a layer streams',
  );
  // the running agent sees the import at its next lookup, and unpacks it
  const seen = await agent.status('tandem/a:1');
  assert.equal(seen?.id, i.config.digest);
  assert.deepEqual(seen?.config.cmd, ['x']);
  await agent.unpack('docker.io/tandem/a:1', join(work, 'a-root'));
  assert.equal(await readFile(join(work, 'a-root/etc/second'), 'utf8'), 'one');
  assert.ok(!existsSync(join(work, 'a-root/etc/greeting')));
  // a write of the agent's own keeps what the import recorded, and the other way round
  const j = img('docker.io/tandem/b:1', 'two');
  const g = join(work, 'b.tar');
  await writeFile(g, ociArchive(j));
  const b = await openImageArchive(g, { platform: linux });
  await importToStore(agent, b, b.images[0] ?? assert.fail('no image'));
  assert.deepEqual((await importer.list()).map((x) => x.repoTags[0]).sort(), ['docker.io/tandem/a:1', 'docker.io/tandem/b:1']);
  await agent.remove('docker.io/tandem/b:1');
  assert.deepEqual(
    (await importer.list()).map((x) => x.repoTags[0]),
    ['docker.io/tandem/a:1'],
  );
  // importing again finds every blob there
  const again: BlobProgress[] = [];
  await importToStore(importer, archive, archive.images[0] ?? assert.fail('no image'), (e) => again.push(e));
  assert.ok(again.every((e) => e.present));
});

test('a docker save archive into the store: plain tar layers, unpacked like any image', async () => {
  const i = img('ignored', 'saved');
  const f = join(work, 'saved.tar');
  await writeFile(f, dockerSaveArchive([{ img: i, repoTags: ['tandem/saved:1'] }]));
  const archive = await openImageArchive(f, { platform: linux });
  const store = createImageStore({ root: join(work, 'store-docker'), platform: linux });
  const got = await importToStore(store, archive, archive.images[0] ?? assert.fail('no image'));
  assert.equal(got.id, i.config.digest);
  await store.unpack('tandem/saved:1', join(work, 'saved-root'));
  assert.equal(await readFile(join(work, 'saved-root/etc/second'), 'utf8'), 'saved');
});

test('a layer changed in the archive is refused, naming it and the file; nothing is recorded', async () => {
  const i = img('docker.io/tandem/c:1', 'three');
  const tar = ociArchive(i);
  const layer = i.layers[1] ?? assert.fail('no layer');
  const at = tar.indexOf(layer.data);
  assert.ok(at > 0);
  tar[at + 20] = (tar[at + 20] ?? 0) ^ 0xff;
  const f = join(work, 'corrupt.tar');
  await writeFile(f, tar);
  const archive = await openImageArchive(f, { platform: linux });
  const store = createImageStore({ root: join(work, 'store-corrupt'), platform: linux });
  await assert.rejects(
    importToStore(store, archive, archive.images[0] ?? assert.fail('no image')),
    new RegExp(
      `layer 2 ${layer.digest} of docker\\.io/tandem/c:1 in ${f}: content has digest sha256:[0-9a-f]{64}, expected ${layer.digest}`,
    ),
  );
  assert.deepEqual(await store.list(), []);
});

test('record: a manifest not in the store, or of another platform, is refused', async () => {
  const store = createImageStore({ root: join(work, 'store-record'), platform: linux });
  const arm = buildImage({ name: 'x', architecture: 'arm64', entries: [file('a', 'arm')] });
  await assert.rejects(store.record(['tandem/arm:1'], arm.manifest.digest), /its manifest is not in the image store/);
  for (const b of [arm.manifest, arm.config, ...arm.layers]) await store.blobs.put(b.digest, b.data, 'test blob');
  await assert.rejects(
    store.record(['tandem/arm:1'], arm.manifest.digest),
    (e: Error) => e instanceof NoMatchingPlatformError && /it has linux\/arm64; the node needs linux\/amd64/.test(e.message),
  );
  assert.deepEqual(await store.list(), []);
});

const busybox = busyboxPath();
const staticBusybox = busybox !== undefined && isStaticElf(await readFile(busybox));

test('isStaticElf: busybox-static is, a dynamically linked program is not', { skip: !staticBusybox && 'no busybox-static' }, async () => {
  assert.ok(isStaticElf(await readFile(busybox ?? '')));
  assert.equal(isStaticElf(await readFile(process.execPath)), false, 'node is dynamically linked');
  assert.equal(isStaticElf(Buffer.from('#!/bin/sh\n')), false);
});

test(
  'the sample image: imported, unpacked, its command greets and stops on TERM',
  { skip: !staticBusybox && 'no busybox-static' },
  async () => {
    const f = join(work, 'hello.tar');
    const written = await writeSampleArchive(f);
    assert.equal(written.name, SAMPLE_IMAGE);
    const archive = await openImageArchive(f, { platform: { os: 'linux', architecture: process.arch === 'arm64' ? 'arm64' : 'amd64' } });
    const store = createImageStore({
      root: join(work, 'store-sample'),
      platform: { os: 'linux', architecture: archive.images[0]?.platform.split('/')[1] ?? '' },
    });
    const got = await importToStore(store, archive, archive.images[0] ?? assert.fail('no image'));
    assert.deepEqual(got.repoTags, [SAMPLE_IMAGE]);
    const dir = join(work, 'hello-root');
    await store.unpack(SAMPLE_IMAGE, dir);
    // as the process runtime runs it: argv[0] found inside the image, nothing from the host's PATH
    const [argv0, ...args] = got.config.cmd;
    assert.equal(argv0, '/bin/busybox');
    const child = spawn(join(dir, argv0 ?? ''), args, { env: { PATH: '/nonexistent' }, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const deadline = Date.now() + 10_000;
    while (!out.includes('no registry involved') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(out, /^Hello from Tandem! This pod runs the sample image docker\.io\/tandem\/hello:1 on .+\.\n/);
    const closed = once(child.stdout, 'close');
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    assert.equal(code, 0, out);
    assert.match(out, /hello: stopping\n$/);
    // its sleep went with it: nothing holds the output open
    const late = new Promise((_, reject) => setTimeout(() => reject(new Error('the sleep outlived the shell')), 5000).unref());
    await Promise.race([closed, late]);
  },
);

test(
  'the sample image as a pod of the process runtime: its log greets, TERM stops it with 0',
  { skip: (!staticBusybox || process.platform !== 'linux') && 'needs Linux and busybox-static' },
  async () => {
    const dataDir = join(work, 'process-node');
    const f = join(work, 'hello-pod.tar');
    await writeSampleArchive(f);
    const platform = { os: 'linux', architecture: process.arch === 'arm64' ? 'arm64' : 'amd64' };
    const images = createImageStore({ root: processImageRoot(dataDir), platform });
    const archive = await openImageArchive(f, { platform });
    await importToStore(images, archive, archive.images[0] ?? assert.fail('no image'));
    const rt = createProcessRuntime({ dataDir, images, os: 'linux', hostIPs: ['127.0.0.1'] });
    const uid = 'hello-uid';
    const sbCfg: SandboxConfig = {
      name: 'hello',
      namespace: 'default',
      uid,
      attempt: 0,
      hostname: 'hello',
      logDirectory: join(dataDir, 'logs', uid),
      portMappings: [],
      labels: {},
      annotations: {},
      runtimeHandler: 'process',
      linux: {},
    };
    const sb = await rt.runPodSandbox(sbCfg);
    try {
      // as the agent does with imagePullPolicy Never: the image is present, nothing is pulled
      assert.ok(await rt.imageStatus(SAMPLE_IMAGE));
      const id = await rt.createContainer(
        sb,
        {
          name: 'hello',
          attempt: 0,
          image: SAMPLE_IMAGE,
          command: [],
          args: [],
          envs: [],
          mounts: [],
          logPath: 'hello/0.log',
          labels: {},
          annotations: {},
        },
        sbCfg,
      );
      await rt.startContainer(id);
      const log = join(sbCfg.logDirectory, 'hello/0.log');
      const deadline = Date.now() + 10_000;
      const text = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
      while (!text().includes('no registry involved') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(text(), /stdout F Hello from Tandem! This pod runs the sample image docker\.io\/tandem\/hello:1 on /);
      await rt.stopContainer(id, 10);
      const st = await rt.containerStatus(id);
      assert.equal(st.state, 'exited');
      assert.equal(st.exitCode, 0, text());
      assert.match(text(), /stdout F hello: stopping\n$/);
      await rt.removeContainer(id);
    } finally {
      await rt.stopPodSandbox(sb);
      await rt.removePodSandbox(sb);
    }
  },
);

test('ctr: addresses as it takes them; its failure comes back with its words', async () => {
  assert.equal(ctrAddress('unix:///var/lib/t/containerd.sock'), '/var/lib/t/containerd.sock');
  assert.equal(ctrAddress('npipe:////./pipe/containerd-containerd'), '\\\\.\\pipe\\containerd-containerd');
  assert.equal(ctrAddress('/run/x.sock'), '/run/x.sock');
  const i = img('docker.io/tandem/d:1', 'four');
  const f = join(work, 'd.tar');
  await writeFile(f, ociArchive(i));
  const archive = await openImageArchive(f, { platform: linux });
  await assert.rejects(
    importToContainerd(archive, archive.images, { endpoint: 'unix:///x', ctr: join(work, 'no-such-ctr') }),
    /no-such-ctr \(containerd's command-line client\) is not installed: it comes with containerd \(on Debian: apt-get install containerd\)/,
  );
  // a stand-in for ctr that reads a little and fails as ctr does when containerd is not there
  const fake = join(work, 'fake-ctr');
  await writeFile(fake, '#!/bin/sh\nhead -c 100 >/dev/null\necho "ctr: failed to dial \\"$2\\": context deadline exceeded" >&2\nexit 1\n', {
    mode: 0o755,
  });
  await assert.rejects(
    importToContainerd(archive, archive.images, { endpoint: 'unix:///run/none.sock', ctr: fake }),
    /fake-ctr images import into unix:\/\/\/run\/none\.sock failed \(exit 1\): ctr: failed to dial "\/run\/none\.sock": context deadline exceeded/,
  );
});
