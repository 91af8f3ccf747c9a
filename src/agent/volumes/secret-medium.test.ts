// The credential volumes' medium: a real tmpfs mount per volume directory when the agent is root on
// Linux (unmounted with the pod), else an owner-only directory. The tmpfs test needs root and is
// skipped otherwise (CI runs as root).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../api/gen/types.js';
import { createStaticObjectSource } from '../pods/object-source.js';
import { diskMedium, isMountPoint, tmpfsMedium } from './secret-medium.js';
import { cleanupPodDir, prepareVolumes } from './volumes.js';

const root = process.platform === 'linux' && process.getuid?.() === 0;

const objects = createStaticObjectSource({
  configMaps: { 'ns/kube-root-ca.crt': { 'ca.crt': 'PEM' } },
  secrets: { 'ns/sec': { password: 's3cret' } },
});
const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'uid-t' },
  spec: {
    containers: [{ name: 'c' }],
    volumes: [
      { name: 'sec', secret: { secretName: 'sec', defaultMode: 0o644 } },
      {
        name: 'kube-api-access-abcde',
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
      { name: 'cfg', configMap: { name: 'kube-root-ca.crt' } },
    ],
  },
};
const tokens = { token: async () => 'header.payload.sig', forget: () => undefined };

test(
  'tmpfs: Secret and projected volumes are their own tmpfs mounts with the modes asked, gone with the pod',
  { skip: !root && 'needs root on Linux' },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent-tmpfs-'));
    const medium = tmpfsMedium();
    try {
      const vols = await prepareVolumes({ pod, dataDir: dir, objects, facts: {}, allocatable: {}, tokens, secretMedium: medium });
      const sec = vols.get('sec')?.path ?? '';
      const api = vols.get('kube-api-access-abcde')?.path ?? '';
      assert.equal(await isMountPoint(sec), true);
      assert.equal(await isMountPoint(api), true);
      assert.equal(await isMountPoint(vols.get('cfg')?.path ?? ''), false, 'a ConfigMap stays on disk');
      const mounts = await readFile('/proc/self/mountinfo', 'utf8');
      assert.match(mounts, new RegExp(`${api.replace(/[.~]/g, '\\$&')} .* - tmpfs `));
      assert.equal(await readFile(join(api, 'token'), 'utf8'), 'header.payload.sig');
      assert.equal(await readFile(join(api, 'ca.crt'), 'utf8'), 'PEM');
      assert.equal(await readFile(join(api, 'namespace'), 'utf8'), 'ns');
      assert.equal((await stat(join(api, 'token'))).mode & 0o777, 0o644, 'upstream writes 0644 (defaultMode 420)');
      assert.equal((await stat(join(sec, 'password'))).mode & 0o777, 0o644);
      // a second sync finds the mount and writes nothing new
      await prepareVolumes({ pod, dataDir: dir, objects, facts: {}, allocatable: {}, tokens, secretMedium: tmpfsMedium() });
      assert.equal(
        (mounts.match(/agent-tmpfs-/g) ?? []).length,
        (await readFile('/proc/self/mountinfo', 'utf8')).match(/agent-tmpfs-/g)?.length,
      );

      await cleanupPodDir(dir, 'uid-t', medium);
      assert.equal(await isMountPoint(api), false);
      assert.doesNotMatch(await readFile('/proc/self/mountinfo', 'utf8'), /agent-tmpfs-/);
      await assert.rejects(stat(join(dir, 'pods', 'uid-t')));
    } finally {
      await cleanupPodDir(dir, 'uid-t', medium).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test('disk: the directory is 0700 and files keep only the owner bits', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'agent-disk-'));
  try {
    const vols = await prepareVolumes({ pod, dataDir: dir, objects, facts: {}, allocatable: {}, tokens, secretMedium: diskMedium() });
    const api = vols.get('kube-api-access-abcde')?.path ?? '';
    assert.equal(await isMountPoint(api), false);
    assert.equal((await stat(api)).mode & 0o777, 0o700);
    assert.equal((await stat(join(api, 'token'))).mode & 0o777, 0o600);
    assert.equal(await readFile(join(api, 'token'), 'utf8'), 'header.payload.sig');
    // ConfigMaps are not credentials: as asked
    assert.equal((await stat(join(vols.get('cfg')?.path ?? '', 'ca.crt'))).mode & 0o777, 0o644);
    await cleanupPodDir(dir, 'uid-t');
    await assert.rejects(stat(join(dir, 'pods', 'uid-t')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a token that cannot be had fails the mount with the reason', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'agent-tok-'));
  try {
    const failing = { token: async () => Promise.reject(new Error('serviceaccounts "default" is forbidden')), forget: () => undefined };
    await assert.rejects(
      prepareVolumes({ pod, dataDir: dir, objects, facts: {}, allocatable: {}, tokens: failing }),
      /MountVolume.SetUp failed for volume "kube-api-access-abcde" : failed to fetch token for ns\/default: serviceaccounts "default" is forbidden/,
    );
    await assert.rejects(prepareVolumes({ pod, dataDir: dir, objects, facts: {}, allocatable: {} }), /needs the API server/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
