import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaticObjectSource } from '../pods/object-source.js';
import type { Container, Pod, Volume } from '../../api/gen/types.js';
import { checkHostPath, cleanupPodDir, containerMounts, prepareVolumes, VolumeError } from './volumes.js';

const objects = createStaticObjectSource({
  configMaps: { 'ns/cfg': { 'app.conf': 'port=80', other: 'o' } },
  secrets: { 'ns/sec': { token: 'abc' } },
});
const mkPod = (volumes: Volume[]): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', labels: { b: '2', a: '1' } },
  spec: { containers: [{ name: 'c', resources: { limits: { memory: '64Mi' } } }], volumes },
});

test('configMap items with modes, secret, downwardAPI, projected, emptyDir', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'agent-vol-'));
  try {
    const pod = mkPod([
      { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o600 }], defaultMode: 0o640 } },
      { name: 'all', configMap: { name: 'cfg', defaultMode: 0o640 } },
      { name: 'sec', secret: { secretName: 'sec' } },
      { name: 'opt', secret: { secretName: 'none', optional: true } },
      {
        name: 'info',
        downwardAPI: {
          items: [
            { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
          ],
        },
      },
      {
        name: 'proj',
        projected: {
          sources: [
            { configMap: { name: 'cfg', items: [{ key: 'other', path: 'o.txt' }] } },
            { downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
            { serviceAccountToken: { path: 'token' } },
          ],
        },
      },
      { name: 'scratch', emptyDir: {} },
    ]);
    const tokens = { token: async () => 'jwt-for-p', forget: () => undefined };
    const vols = await prepareVolumes({ pod, dataDir: dir, objects, facts: {}, allocatable: {}, tokens });
    const cfg = vols.get('cfg')?.path ?? '';
    assert.equal(cfg, join(dir, 'pods/uid-1/volumes/kubernetes.io~configmap/cfg'));
    assert.equal(await readFile(join(cfg, 'conf/app.conf'), 'utf8'), 'port=80');
    assert.equal((await stat(join(cfg, 'conf/app.conf'))).mode & 0o777, 0o600);
    assert.equal(await readlink(join(cfg, 'conf')), '..data/conf');
    const all = vols.get('all')?.path ?? '';
    assert.equal((await stat(join(all, 'other'))).mode & 0o777, 0o640);
    assert.equal(await readFile(join(vols.get('sec')?.path ?? '', 'token'), 'utf8'), 'abc');
    // on disk (not tmpfs) a Secret keeps only the owner's bits, in an owner-only directory
    assert.equal((await stat(join(vols.get('sec')?.path ?? '', 'token'))).mode & 0o777, 0o600);
    assert.equal((await stat(vols.get('sec')?.path ?? '')).mode & 0o777, 0o700);
    const info = vols.get('info')?.path ?? '';
    assert.equal(await readFile(join(info, 'labels'), 'utf8'), 'a="1"\nb="2"');
    assert.equal(await readFile(join(info, 'mem'), 'utf8'), '64');
    const proj = vols.get('proj')?.path ?? '';
    assert.equal(await readFile(join(proj, 'o.txt'), 'utf8'), 'o');
    assert.equal(await readFile(join(proj, 'name'), 'utf8'), 'p');
    assert.equal(await readFile(join(proj, 'token'), 'utf8'), 'jwt-for-p');
    assert.equal((await stat(proj)).mode & 0o777, 0o700);
    assert.equal(vols.get('scratch')?.readOnly, false);
    assert.equal(vols.get('cfg')?.readOnly, true);

    const c: Container = {
      name: 'c',
      volumeMounts: [
        { name: 'scratch', mountPath: '/data', subPath: 'sub/dir' },
        { name: 'cfg', mountPath: '/etc/app' },
        { name: 'scratch', mountPath: '/ro', readOnly: true },
      ],
    };
    const mounts = await containerMounts(c, vols);
    assert.equal(mounts[0]?.hostPath, join(vols.get('scratch')?.path ?? '', 'sub/dir'));
    assert.equal((await stat(mounts[0]?.hostPath ?? '')).isDirectory(), true);
    assert.deepEqual(
      mounts.map((m) => m.readonly),
      [false, true, true],
    );
    await assert.rejects(
      containerMounts({ name: 'c', volumeMounts: [{ name: 'scratch', mountPath: '/x', subPath: '../escape' }] }, vols),
      VolumeError,
    );
    await assert.rejects(
      containerMounts({ name: 'c', volumeMounts: [{ name: 'missing', mountPath: '/x' }] }, vols),
      /cannot find volume "missing"/,
    );

    // an update rewrites the set atomically and drops keys that went away
    const pod2 = mkPod([{ name: 'all', configMap: { name: 'cfg', items: [{ key: 'other', path: 'only' }] } }]);
    await prepareVolumes({ pod: pod2, dataDir: dir, objects, facts: {}, allocatable: {} });
    assert.equal(await readFile(join(all, 'only'), 'utf8'), 'o');
    await assert.rejects(stat(join(all, 'app.conf')));

    await assert.rejects(
      prepareVolumes({ pod: mkPod([{ name: 'x', configMap: { name: 'missing' } }]), dataDir: dir, objects, facts: {}, allocatable: {} }),
      /MountVolume.SetUp failed for volume "x" : configmap "missing" not found/,
    );
    await cleanupPodDir(dir, 'uid-1');
    await assert.rejects(stat(join(dir, 'pods/uid-1')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('hostPath type checks', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'agent-hp-'));
  try {
    await writeFile(join(dir, 'f'), 'x');
    await mkdir(join(dir, 'd'));
    await checkHostPath(join(dir, 'd'), 'Directory');
    await checkHostPath(join(dir, 'f'), 'File');
    await checkHostPath(join(dir, 'anything'), '');
    await assert.rejects(checkHostPath(join(dir, 'f'), 'Directory'), /is not a directory/);
    await assert.rejects(checkHostPath(join(dir, 'd'), 'File'), /is not a file/);
    await assert.rejects(checkHostPath(join(dir, 'f'), 'Socket'), /is not a socket/);
    await assert.rejects(checkHostPath(join(dir, 'missing'), 'Directory'), /is not a directory/);
    await checkHostPath(join(dir, 'new/deep'), 'DirectoryOrCreate');
    assert.equal((await stat(join(dir, 'new/deep'))).isDirectory(), true);
    await checkHostPath(join(dir, 'nf/file'), 'FileOrCreate');
    assert.equal((await stat(join(dir, 'nf/file'))).isFile(), true);
    await assert.rejects(checkHostPath(join(dir, 'd'), 'FileOrCreate'), /is not a file/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
