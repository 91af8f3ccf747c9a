import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { containerdSkipReason, startTestContainerd } from './containerd-env.js';
import { buildImage, deterministicGzip, ociArchive, sha256 } from '../../src/agent/images/oci.js';
import { loadOciArchive, prepareTestImages } from './prepare.js';
import { busyboxEntries } from '../../src/agent/images/rootfs.js';
import { readTarFiles, writeTar } from '../../src/agent/images/tar.js';

test('tar: sorted, deterministic, readable by tar(1)', async () => {
  const entries = [
    { type: 'file' as const, path: 'b/x.txt', data: Buffer.from('hello') },
    { type: 'dir' as const, path: 'b' },
    { type: 'symlink' as const, path: 'a-link', target: '/b/x.txt' },
    { type: 'file' as const, path: `deep/${'d'.repeat(90)}/${'f'.repeat(40)}`, data: Buffer.from('long') },
  ];
  const t1 = writeTar(entries);
  assert.deepEqual(t1, writeTar([...entries].reverse()));
  assert.equal(t1.length % 512, 0);
  const files = readTarFiles(t1);
  assert.equal(files.get('b/x.txt')?.toString(), 'hello');
  assert.equal(files.get(`deep/${'d'.repeat(90)}/${'f'.repeat(40)}`)?.toString(), 'long');
  const dir = await mkdtemp(join(tmpdir(), 'tandem-tar-'));
  try {
    const listing = execFileSync('tar', ['-tvf', '-'], { input: t1 }).toString();
    assert.match(listing, /a-link -> \/b\/x\.txt/);
    assert.match(listing, /root\/root|0\/0/);
    const names = execFileSync('tar', ['-tf', '-'], { input: t1 }).toString().trim().split('\n');
    assert.deepEqual(names, [...names].sort());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('gzip header is fixed like gzip -n', () => {
  const gz = deterministicGzip(Buffer.from('abc'));
  assert.equal(gz.readUInt32LE(4), 0);
  assert.equal(gz[3], 0, 'no name flag');
  assert.equal(gz[9], 3);
  assert.equal(gunzipSync(gz).toString(), 'abc');
});

test('image build is deterministic and digests follow the OCI rules', async () => {
  const spec = {
    name: 'docker.io/tandem/t:1',
    entries: [{ type: 'file' as const, path: 'hello', data: Buffer.from('hi'), mode: 0o755 }],
    entrypoint: ['/hello'],
  };
  const a = buildImage(spec);
  const b = buildImage(spec);
  assert.equal(a.manifest.digest, b.manifest.digest);
  const layer = a.layers[0];
  assert.ok(layer);
  assert.equal(layer.digest, sha256(layer.data));
  assert.equal(layer.diffId, sha256(gunzipSync(layer.data)), 'diff_id is the uncompressed tar digest');
  const config = JSON.parse(a.config.data.toString()) as { rootfs: { diff_ids: string[] }; config: { Entrypoint: string[] } };
  assert.deepEqual(config.rootfs.diff_ids, [layer.diffId]);
  assert.deepEqual(config.config.Entrypoint, ['/hello']);
  const manifest = JSON.parse(a.manifest.data.toString()) as {
    config: { digest: string; size: number };
    layers: { digest: string; size: number }[];
  };
  assert.equal(manifest.config.digest, a.config.digest);
  assert.equal(manifest.layers[0]?.size, layer.data.length);
  const archive = ociArchive(a);
  const files = readTarFiles(archive);
  const index = JSON.parse(files.get('index.json')?.toString() ?? '') as {
    manifests: { digest: string; annotations: Record<string, string> }[];
  };
  assert.equal(index.manifests[0]?.digest, a.manifest.digest);
  assert.equal(index.manifests[0]?.annotations['io.containerd.image.name'], 'docker.io/tandem/t:1');
  assert.equal(index.manifests[0]?.annotations['org.opencontainers.image.ref.name'], '1');
  const file = join(tmpdir(), `tandem-oci-${process.pid}.tar`);
  await writeFile(file, archive);
  const back = await loadOciArchive(file).finally(() => rm(file, { force: true }));
  assert.equal(back.manifest.digest, a.manifest.digest);
  assert.equal(back.layers[0]?.diffId, layer.diffId);
});

test('busybox rootfs has applets, users and a sticky /tmp', { skip: process.platform !== 'linux' }, async () => {
  const e = await busyboxEntries();
  const byPath = new Map(e.map((x) => [x.path, x]));
  assert.deepEqual(byPath.get('bin/sh'), { type: 'symlink', path: 'bin/sh', target: '/bin/busybox' });
  assert.ok(byPath.has('usr/sbin/httpd') && byPath.has('usr/bin/wget'));
  const tmp = byPath.get('tmp');
  assert.equal(tmp?.type === 'dir' ? tmp.mode : undefined, 0o1777);
  const passwd = byPath.get('etc/passwd');
  assert.match(passwd?.type === 'file' ? passwd.data.toString() : '', /^nobody:x:65534:65534:/m);
});

const skip = containerdSkipReason();
let regSkip: string | undefined = skip;
if (!regSkip) {
  try {
    execFileSync('sh', ['-c', 'command -v docker-registry'], { stdio: 'ignore' });
  } catch {
    regSkip = 'docker-registry is not installed';
  }
}
if (regSkip) console.log(`# registry/pull test skipped: ${regSkip}`);

test('registry push and CRI PullImage from 127.0.0.1:PORT; pause archive import', { skip: regSkip, timeout: 60_000 }, async () => {
  const t0 = performance.now();
  const ti = await prepareTestImages();
  const tPrep = performance.now() - t0;
  let env: Awaited<ReturnType<typeof startTestContainerd>> | undefined;
  try {
    assert.match(ti.images.busybox, /^127\.0\.0\.1:\d+\/tandem\/busybox:1$/);
    const r = await fetch(`${ti.registry.url}/v2/tandem/busybox/manifests/1`, {
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(r.status, 200);
    const local = await loadOciArchive(ti.archives.busybox);
    assert.equal(r.headers.get('docker-content-digest'), local.manifest.digest);

    env = await startTestContainerd({ pauseImageArchive: ti.archives.pause });
    assert.ok(await env.runtime.imageStatus('docker.io/tandem/pause:1'), 'imported pause archive is visible to the CRI');
    const tp = performance.now();
    const ref = await env.runtime.pullImage(ti.images.busybox);
    const tPull = performance.now() - tp;
    assert.match(ref, /^sha256:[0-9a-f]{64}$/);
    assert.equal(ref, local.config.digest, 'the image id is the config digest');
    const st = await env.runtime.imageStatus(ti.images.busybox);
    assert.ok(st?.repoTags.includes(ti.images.busybox));
    assert.equal(await env.runtime.imageStatus(`${ti.registry.host}/tandem/nope:1`), undefined);
    await env.runtime.pullImage(ti.images.pause);
    assert.ok((await env.runtime.listImages()).some((i) => i.repoTags.includes(ti.images.pause)));
    const fs = await env.runtime.imageFsInfo();
    assert.ok(fs.images[0]?.mountpoint.includes(env.dataDir), 'image filesystem is under the instance root');
    console.log(
      `# prepareTestImages ${tPrep.toFixed(0)} ms (pause fallback: ${ti.pauseFallback}), PullImage busybox ${tPull.toFixed(0)} ms`,
    );
  } finally {
    await env?.stop();
    await ti.registry.stop();
  }
});
