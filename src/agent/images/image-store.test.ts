// The image store against the real Debian docker-registry: one multi-platform index (Linux and two
// Windows builds) pulled and unpacked as each kind of node would, and lookups without the network.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pushIndex, startRegistry, type Registry } from '../../../test/images/registry.js';
import { NoMatchingPlatformError, type ImagePlatform } from './image-source.js';
import { createImageStore } from './image-store.js';
import { buildImage, buildIndex } from './oci.js';

const work = await mkdtemp(join(tmpdir(), 'tandem-image-store-'));
let registry: Registry;
let indexDigest: string;
const file = (path: string, text: string) => ({ type: 'file' as const, path, data: Buffer.from(text) });
const linux = buildImage({
  name: 'multi',
  entries: [file('etc/os', 'linux')],
  moreLayers: [[file('etc/.wh.os', ''), file('etc/os2', 'linux 2')]],
  cmd: ['sh'],
});
const win = (osVersion: string) =>
  buildImage({ name: 'multi', os: 'windows', osVersion, entries: [file('Windows/build.txt', osVersion)], entrypoint: ['cmd.exe', '/c'] });
const idx = buildIndex([linux, win('10.0.17763.1'), win('10.0.17763.6054'), win('10.0.20348.2700')]);

before(async () => {
  registry = await startRegistry({ dir: join(work, 'registry') });
  indexDigest = await pushIndex(registry.url, 'tandem/multi', '1', idx);
});
after(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

const store = (name: string, platform: ImagePlatform) => createImageStore({ root: join(work, name), platform });
const image = () => `${registry.host}/tandem/multi:1`;

test('a Linux node pulls the linux/amd64 entry and unpacks both layers', async () => {
  const s = store('linux', { os: 'linux', architecture: 'amd64' });
  const p = await s.pull(image());
  assert.equal(p.ref, `${registry.host}/tandem/multi@${indexDigest}`);
  assert.equal(p.id, linux.config.digest);
  assert.deepEqual(p.repoTags, [image()]);
  assert.deepEqual(p.repoDigests, [p.ref]);
  assert.equal(p.size, linux.config.data.length + linux.layers.reduce((n, l) => n + l.data.length, 0));
  assert.deepEqual(p.config.cmd, ['sh']);
  assert.equal(p.config.os, 'linux');
  const dir = join(work, 'linux-root');
  await s.unpack(image(), dir);
  assert.ok(!existsSync(join(dir, 'etc/os')), 'the upper layer whites it out');
  assert.equal(readFileSync(join(dir, 'etc/os2'), 'utf8'), 'linux 2');
  // every way of naming the image finds it
  for (const name of [image(), p.ref, p.id, p.id.slice(7), `${registry.host}/tandem/multi@${linux.manifest.digest}`]) {
    assert.equal((await s.status(name))?.id, p.id, name);
  }
  assert.equal(await s.status(`${registry.host}/tandem/multi:2`), undefined);
  assert.equal((await s.list()).length, 1);
});

test('Windows nodes get the entry of their build with the highest revision, Files/ at the root', async () => {
  for (const [host, want] of [
    ['10.0.17763.5936', '10.0.17763.6054'],
    ['10.0.20348.1', '10.0.20348.2700'],
  ] as const) {
    const s = store(`win-${host}`, { os: 'windows', architecture: 'amd64', osVersion: host });
    const p = await s.pull(image());
    assert.equal(p.config.os, 'windows');
    assert.equal(p.config.osVersion, want);
    assert.deepEqual(p.config.entrypoint, ['cmd.exe', '/c']);
    const dir = join(work, `win-root-${host}`);
    await s.unpack(image(), dir);
    assert.equal(readFileSync(join(dir, 'Windows/build.txt'), 'utf8'), want);
    assert.ok(!existsSync(join(dir, 'Files')) && !existsSync(join(dir, 'Hives')));
  }
});

test('a node whose build the image lacks gets a message naming both sides', async () => {
  const s = store('win-26100', { os: 'windows', architecture: 'amd64', osVersion: '10.0.26100.1742' });
  await assert.rejects(s.pull(image()), (e: Error) => {
    assert.ok(e instanceof NoMatchingPlatformError);
    assert.match(e.message, new RegExp(`image ${image()} has no manifest for this node`));
    assert.match(
      e.message,
      /it has linux\/amd64, windows\/amd64 10\.0\.17763\.1, windows\/amd64 10\.0\.17763\.6054, windows\/amd64 10\.0\.20348\.2700;/,
    );
    assert.match(e.message, /the node needs windows\/amd64 10\.0\.26100\.1742 \(Windows build 10\.0\.26100\)/);
    assert.equal(e.available.length, 4);
    return true;
  });
  assert.deepEqual(await s.list(), []);
});

test('status, list and unpack work with the registry gone; remove then gc frees the blobs', async () => {
  const s = store('offline', { os: 'linux', architecture: 'amd64' });
  await s.pull(image());
  await registry.stop();
  assert.equal((await s.status(image()))?.id, linux.config.digest);
  await s.unpack(image(), join(work, 'offline-root'));
  assert.equal(readFileSync(join(work, 'offline-root/etc/os2'), 'utf8'), 'linux 2');
  // within the tag TTL a pull needs no registry either
  assert.equal((await s.pull(image())).id, linux.config.digest);
  await s.remove(image());
  assert.equal(await s.status(image()), undefined);
  const { removedBlobs } = await s.gc();
  assert.equal(removedBlobs, 2 + linux.layers.length + 1, 'index, manifest, config and layers');
  await assert.rejects(s.unpack(image(), join(work, 'x')), /is not pulled on this node/);
});
