// Volumes that persist, end to end on a real node: `tandem up` (root, containerd) and the real
// kubectl. A claim of the default local-path class and a pod that writes a file into it; the pod
// deleted and a new pod on the same claim reads the file back; the claim deleted, after which its
// volume and the directory on the host go. A claim of a Retain class keeps its directory after the
// claim and then the volume object are deleted. Skipped with a message where containerd cannot run.
// Run under the shared lock (other node e2e files use the same host): flock /tmp/tandem-up.lock.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { at } from './kubectl-support.js';
import { createNodeSession, isRunning, nodeE2eSkip, until, type Obj } from './node-session.js';

const NS = 'volumes-e2e';
const ses = createNodeSession(NS);
const TOKEN = `persisted-${randomBytes(4).toString('hex')}`;

const claim = (name: string, className?: string): Obj => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: NS },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '64Mi' } },
    ...(className ? { storageClassName: className } : {}),
  },
});
const podOn = (name: string, claimName: string, script: string): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS },
  spec: {
    terminationGracePeriodSeconds: 1,
    containers: [
      {
        name: 'main',
        image: ses.images().images.busybox,
        command: ['sh', '-c', script],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
    ],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
  },
});
const gone = (args: string[]) => ses.k([...args, '-n', NS]).code !== 0;
const running = (name: string) => until(`pod ${name} running`, () => isRunning(ses.pod(name)), 90_000);
const deletePod = async (name: string) => {
  ses.ok(['delete', 'pod', name, '-n', NS, '--wait=false']);
  await until(`pod ${name} gone`, () => gone(['get', 'pod', name]), 60_000);
};

const skip = nodeE2eSkip();
describe('persistent volumes on tandem up', { skip: skip ?? false }, () => {
  before(async () => {
    await ses.start();
  });
  after(async () => {
    await ses.stop();
  });

  let volumeDir = '';
  test('a pod writes into a claim of the default class; the claim is bound to a volume on this node', async () => {
    ses.apply([claim('data'), podOn('writer', 'data', `echo ${TOKEN} > /data/file && sync && sleep 3600`)]);
    await running('writer');
    const pvc = ses.getJson(['get', 'pvc', 'data']);
    assert.equal(at(pvc, 'status', 'phase'), 'Bound');
    assert.equal(at(pvc, 'spec', 'storageClassName'), 'local-path');
    const pvName = String(at(pvc, 'spec', 'volumeName'));
    const pv = ses.getJson(['get', 'pv', pvName]);
    const node = String(at(ses.pod('writer'), 'spec', 'nodeName'));
    const root = String(at(ses.getJson(['get', 'node', node]), 'metadata', 'annotations', 'tandem.dev/local-path-root'));
    assert.equal(root, join(ses.srv().dataDir, 'agent', 'volumes'));
    volumeDir = String(at(pv, 'spec', 'hostPath', 'path'));
    assert.equal(volumeDir, join(root, pvName));
    assert.deepEqual(at(pv, 'spec', 'nodeAffinity', 'required', 'nodeSelectorTerms', 0, 'matchExpressions', 0, 'values'), [node]);
    await until('the file on the host', () => existsSync(join(volumeDir, 'file')), 10_000);
    assert.equal(readFileSync(join(volumeDir, 'file'), 'utf8').trim(), TOKEN);
  });

  test('a new pod on the same claim reads what the first one wrote', async () => {
    await deletePod('writer');
    ses.apply([podOn('reader', 'data', 'cat /data/file && sleep 3600')]);
    await running('reader');
    const logs = await until(
      'the reader to print the file',
      () => {
        const out = ses.k(['logs', 'reader', '-n', NS]).stdout;
        return out.includes(TOKEN) ? out : undefined;
      },
      20_000,
    );
    assert.equal(logs.trim(), TOKEN);
  });

  test('the claim deleted: its volume and the directory on the host are removed', async () => {
    const pvName = String(at(ses.getJson(['get', 'pvc', 'data']), 'spec', 'volumeName'));
    ses.ok(['delete', 'pvc', 'data', '-n', NS, '--wait=false']);
    // protected while the reader uses it
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(at(ses.getJson(['get', 'pvc', 'data']), 'metadata', 'deletionTimestamp'));
    assert.ok(existsSync(volumeDir));
    await deletePod('reader');
    await until('claim and volume gone', () => gone(['get', 'pvc', 'data']) && ses.k(['get', 'pv', pvName]).code !== 0, 60_000);
    await until('the directory removed', () => !existsSync(volumeDir), 10_000);
  });

  test('a Retain class keeps the directory after the claim and the volume are deleted', async () => {
    ses.ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'keep' },
        provisioner: 'tandem.dev/local-path',
        reclaimPolicy: 'Retain',
        volumeBindingMode: 'WaitForFirstConsumer',
      }),
    });
    ses.apply([claim('kept', 'keep'), podOn('keeper', 'kept', `echo ${TOKEN} > /data/file && sync && sleep 3600`)]);
    await running('keeper');
    const pvName = String(at(ses.getJson(['get', 'pvc', 'kept']), 'spec', 'volumeName'));
    const dir = String(at(ses.getJson(['get', 'pv', pvName]), 'spec', 'hostPath', 'path'));
    await until('the file on the host', () => existsSync(join(dir, 'file')), 10_000);
    await deletePod('keeper');
    ses.ok(['delete', 'pvc', 'kept', '-n', NS]);
    const released = await until(
      'the volume Released',
      () => {
        const pv = ses.getJson(['get', 'pv', pvName]);
        return at(pv, 'status', 'phase') === 'Released' ? pv : undefined;
      },
      30_000,
    );
    assert.equal(at(released, 'spec', 'persistentVolumeReclaimPolicy'), 'Retain');
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(ses.k(['get', 'pv', pvName]).code === 0, 'a Retain volume stays');
    ses.ok(['delete', 'pv', pvName, '--timeout=30s']);
    assert.equal(readFileSync(join(dir, 'file'), 'utf8').trim(), TOKEN, 'the data of a Retain volume stays on disk');
    rmSync(dir, { recursive: true, force: true });
    ses.ok(['delete', 'storageclass', 'keep']);
  });
});
