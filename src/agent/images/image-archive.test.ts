// Image archives read back: OCI layouts (names from annotations, an index resolved for the node's
// platform), docker save archives (a manifest made from the config's diff ids), and every way a
// file can fail to be an importable archive, each with a message that names the file and the fault.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { after, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ImageArchiveError, openImageArchive } from './image-archive.js';
import { buildImage, buildIndex, MEDIA, ociArchive, sha256 } from './oci.js';
import { readTarFiles, writeTar } from './tar.js';
import { blobEntries, dockerSaveArchive, indexArchive, layoutEntries } from './testing/archives.js';

const work = await mkdtemp(join(tmpdir(), 'tandem-archive-'));
after(() => rm(work, { recursive: true, force: true }));

const linux = { os: 'linux', architecture: 'amd64' };
const file = (path: string, data: string) => ({ type: 'file' as const, path, data: Buffer.from(data) });
const img = (name: string, data = name, o: { architecture?: string; os?: string } = {}) =>
  buildImage({
    name,
    entries: [file('hello.txt', data)],
    moreLayers: [[file('second.txt', `2 ${data}`)]],
    cmd: ['cat', '/hello.txt'],
    ...o,
  });
let seq = 0;
async function put(data: Buffer | string): Promise<string> {
  const f = join(work, `a${++seq}.tar`);
  await writeFile(f, data);
  return f;
}
const open = (f: string, o: { name?: string; platform?: typeof linux } = {}) => openImageArchive(f, { platform: linux, ...o });
async function rejects(f: string, re: RegExp, o: { name?: string } = {}) {
  await assert.rejects(open(f, o), (e: Error) => {
    assert.ok(e instanceof ImageArchiveError, `${e.name}: ${e.message}`);
    assert.ok(e.message.startsWith(`${f}: `), e.message);
    assert.match(e.message, re);
    return true;
  });
}

test('an OCI archive: the name from its annotation, manifest and config in memory, layers streamed from the file', async () => {
  const i = img('docker.io/tandem/t:1');
  const f = await put(ociArchive(i));
  const a = await open(f);
  assert.equal(a.format, 'oci');
  assert.equal(a.images.length, 1);
  const got = a.images[0];
  assert.ok(got);
  assert.deepEqual(got.names, ['docker.io/tandem/t:1']);
  assert.equal(got.platform, 'linux/amd64');
  assert.equal(got.manifest.digest, i.manifest.digest);
  assert.equal(got.config.digest, i.config.digest);
  assert.deepEqual(
    got.layers.map((l) => [l.digest, l.size, l.mediaType]),
    i.layers.map((l) => [l.digest, l.data.length, MEDIA.layer]),
  );
  assert.equal(got.size, i.config.data.length + i.layers.reduce((n, l) => n + l.data.length, 0));
  for (const l of i.layers) {
    const blob = got.layers.find((x) => x.digest === l.digest) ?? assert.fail(`layer ${l.digest} missing`);
    const bytes = Buffer.concat(await a.open(blob).toArray());
    assert.equal(sha256(bytes), l.digest);
  }
  assert.equal(await text(a.open(got.manifest)), i.manifest.data.toString());
});

test('names: short ones are normalised, a full ref.name counts, a tag-only one needs --name', async () => {
  const i = img('x');
  const entry = (annotations: Record<string, string>) =>
    put(writeTar(layoutEntries([{ target: i.manifest, annotations }], blobEntries([i]))));
  assert.deepEqual((await open(await entry({ 'io.containerd.image.name': 'busybox' }))).images[0]?.names, [
    'docker.io/library/busybox:latest',
  ]);
  assert.deepEqual((await open(await entry({ 'org.opencontainers.image.ref.name': 'example.com/a/b:2' }))).images[0]?.names, [
    'example.com/a/b:2',
  ]);
  const tagOnly = await entry({ 'org.opencontainers.image.ref.name': '1' });
  await rejects(tagOnly, /has no name in the archive .*give one with --name REPOSITORY:TAG/);
  assert.deepEqual((await open(tagOnly, { name: 'tandem/x:1' })).images[0]?.names, ['docker.io/tandem/x:1']);
  await rejects(await entry({ 'io.containerd.image.name': 'Bad Name' }), /io\.containerd\.image\.name: invalid image reference "Bad Name"/);
  await rejects(tagOnly, /--name: invalid image reference "UPPER:\/\/x"/, { name: 'UPPER://x' });
});

test('two entries for one manifest are one image with both names; --name needs a single image', async () => {
  const a = img('a');
  const b = img('b');
  const f = await put(
    writeTar(
      layoutEntries(
        [
          { target: a.manifest, annotations: { 'io.containerd.image.name': 'tandem/a:1' } },
          { target: a.manifest, annotations: { 'io.containerd.image.name': 'tandem/a:latest' } },
          { target: b.manifest, annotations: { 'io.containerd.image.name': 'tandem/b:1' } },
        ],
        blobEntries([a, b]),
      ),
    ),
  );
  const got = await open(f);
  assert.deepEqual(
    got.images.map((i) => i.names),
    [['docker.io/tandem/a:1', 'docker.io/tandem/a:latest'], ['docker.io/tandem/b:1']],
  );
  await rejects(f, /--name names one image, and the archive has 2 for this platform/, { name: 'x:1' });
});

test('a multi-platform index: the entry of the node platform; none fits: every reason', async () => {
  const amd = img('m', 'amd64');
  const arm = img('m', 'arm64', { architecture: 'arm64' });
  const f = await put(indexArchive(buildIndex([arm, amd]), 'tandem/multi:1'));
  const got = await open(f);
  assert.equal(got.images[0]?.manifest.digest, amd.manifest.digest);
  assert.deepEqual(got.images[0]?.names, ['docker.io/tandem/multi:1']);
  assert.equal((await open(f, { platform: { os: 'linux', architecture: 'arm64' } })).images[0]?.manifest.digest, arm.manifest.digest);
  await assert.rejects(
    open(f, { platform: { os: 'linux', architecture: 's390x' } }),
    /no image in it runs on this node \(linux\/s390x\): image docker\.io\/tandem\/multi:1 has no manifest for this node: it has linux\/arm64, linux\/amd64/,
  );
  // an archive of two images of which one is for another platform: that one is skipped, with why
  const armOnly = img('arm-only', 'x', { architecture: 'arm64' });
  const two = await put(
    writeTar(
      layoutEntries(
        [
          { target: amd.manifest, annotations: { 'io.containerd.image.name': 'tandem/amd:1' } },
          { target: armOnly.manifest, annotations: { 'io.containerd.image.name': 'tandem/arm:1' } },
        ],
        blobEntries([amd, armOnly]),
      ),
    ),
  );
  const mixed = await open(two);
  assert.deepEqual(
    mixed.images.map((i) => i.names[0]),
    ['docker.io/tandem/amd:1'],
  );
  assert.equal(mixed.skipped[0]?.name, 'docker.io/tandem/arm:1');
  assert.match(mixed.skipped[0]?.reason ?? '', /it has linux\/arm64; the node needs linux\/amd64/);
});

test('docker save: names from RepoTags, plain tar layers by diff id, a manifest made for them', async () => {
  const i = img('ignored');
  const f = await put(dockerSaveArchive([{ img: i, repoTags: ['tandem/saved:2', 'busybox:latest'] }]));
  const a = await open(f);
  assert.equal(a.format, 'docker');
  const got = a.images[0];
  assert.ok(got);
  assert.deepEqual(got.names, ['docker.io/tandem/saved:2', 'docker.io/library/busybox:latest']);
  assert.equal(got.config.digest, i.config.digest, 'the config is taken as it is');
  const diffIds = i.layers.map((l) => l.diffId);
  assert.deepEqual(
    got.layers.map((l) => l.digest),
    diffIds,
  );
  assert.ok(got.layers.every((l) => l.mediaType === 'application/vnd.docker.image.rootfs.diff.tar'));
  const manifest = JSON.parse(got.manifest.data.toString()) as { config: { digest: string }; layers: { digest: string; size: number }[] };
  assert.equal(got.manifest.digest, sha256(got.manifest.data));
  assert.equal(manifest.config.digest, i.config.digest);
  const first = i.layers[0];
  assert.ok(first);
  const bytes = Buffer.concat(await a.open(got.layers[0] ?? got.config).toArray());
  assert.deepEqual(bytes, gunzipSync(first.data));
  assert.equal(manifest.layers[0]?.size, bytes.length);
  // an untagged image (docker save of an image id) needs --name
  await rejects(await put(dockerSaveArchive([{ img: i, repoTags: [] }])), /has no name in the archive/);
});

test('files that are not importable archives say what they are', async () => {
  await rejects(join(work, 'missing.tar'), /no such file$/);
  await mkdir(join(work, 'layout-dir'));
  await rejects(join(work, 'layout-dir'), /is a directory; import an OCI layout directory as a tar of it \(tar -cf image\.tar -C DIR \.\)/);
  await rejects(await put(''), /is empty$/);
  const oci = ociArchive(img('docker.io/tandem/t:1'));
  const gz = await put(gzipSync(oci));
  await rejects(gz, new RegExp(`is gzip-compressed: unpack it first \\(gunzip -k ${gz}\\)`));
  await rejects(
    await put('just some text, certainly no tar header here'.repeat(20)),
    /is not a tar archive \(tar: header checksum mismatch/,
  );
  await rejects(await put(oci.subarray(0, 3 * 512 + 100)), /is not a tar archive \(tar: archive ends inside blobs\/sha256\//);
  await rejects(
    await put(writeTar([file('readme.txt', 'hi')])),
    /is not an image archive: it has neither index\.json \(an OCI image layout\) nor manifest\.json \(docker save\)/,
  );
  await rejects(await put(writeTar([file('index.json', '{not json')])), /index\.json is not JSON/);
  await rejects(await put(writeTar([file('index.json', '{"schemaVersion":2,"manifests":[]}')])), /index\.json lists no images/);
  await rejects(await put(writeTar([file('manifest.json', '{"a":1}')])), /manifest\.json is not a list of images/);
  await rejects(
    await put(writeTar([file('manifest.json', '[{"RepoTags":["a:1"]}]')])),
    /manifest\.json\[0\] needs Config \(a path\) and Layers/,
  );
});

test('archives with blobs missing or changed name the blob and the image', async () => {
  const i = img('docker.io/tandem/t:1');
  const named = [{ target: i.manifest, annotations: { 'io.containerd.image.name': 'tandem/t:1' } }];
  const without = (digest: string) => blobEntries([i]).filter((e) => !e.path.endsWith(digest.slice(7)));
  const second = i.layers[1];
  assert.ok(second);
  await rejects(
    await put(writeTar(layoutEntries(named, without(second.digest)))),
    new RegExp(`layer 2 of docker\\.io/tandem/t:1 \\(${second.digest}\\) is not in the archive`),
  );
  await rejects(
    await put(writeTar(layoutEntries(named, without(i.config.digest)))),
    /the config of docker\.io\/tandem\/t:1 \(blobs\/sha256\/[0-9a-f]{64}\) is not in the archive/,
  );
  const bad = blobEntries([i]).map((e) =>
    e.type === 'file' && e.path.endsWith(i.manifest.digest.slice(7)) ? { ...e, data: Buffer.from(e.data.toString().replace('2', '3')) } : e,
  );
  await rejects(
    await put(writeTar(layoutEntries(named, bad))),
    /the manifest of docker\.io\/tandem\/t:1 is corrupt: its content has digest sha256:/,
  );
  // docker save: a gzip layer where a plain tar belongs; a config that disagrees with manifest.json
  const saved = dockerSaveArchive([{ img: i, repoTags: ['tandem/s:1'] }]);
  const members = new Map<string, Buffer>();
  for (const [p, d] of readTarFiles(saved)) members.set(p, d);
  const gzLayer = [...members].map(([path, data]) => ({
    type: 'file' as const,
    path,
    data: path === 'layer-0-0/layer.tar' ? gzipSync(data) : data,
  }));
  await rejects(await put(writeTar(gzLayer)), /layer 1 of docker\.io\/tandem\/s:1 \(layer-0-0\/layer\.tar\) is compressed/);
  const fewer = [...members].map(([path, data]) => ({
    type: 'file' as const,
    path,
    data: path === 'manifest.json' ? Buffer.from(data.toString().replace(/,"layer-0-1\/layer\.tar"/, '')) : data,
  }));
  await rejects(await put(writeTar(fewer)), /the config of docker\.io\/tandem\/s:1 lists 2 layers, manifest\.json 1/);
});

test(
  'archives tar(1) made of a layout directory (./ paths; GNU and PAX long names) read the same',
  { skip: process.platform !== 'linux' },
  async () => {
    const i = img('docker.io/tandem/dir:1');
    const dir = join(work, 'layout');
    await mkdir(dir);
    for (const [path, data] of readTarFiles(ociArchive(i))) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), data);
    }
    // a member with a long name before the blobs, so that the offsets after it must account for its extension entry
    const long = join(dir, 'aaa', 'n'.repeat(120));
    await mkdir(join(dir, 'aaa'));
    await writeFile(long, 'long');
    for (const format of ['gnu', 'pax']) {
      const f = join(work, `layout-${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '--sort=name', '-cf', f, '-C', dir, '.']);
      const a = await open(f);
      const got = a.images[0] ?? assert.fail('no image');
      assert.deepEqual(got.names, ['docker.io/tandem/dir:1'], format);
      for (const l of got.layers) assert.equal(sha256(Buffer.concat(await a.open(l).toArray())), l.digest, format);
    }
  },
);
