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

  test('a StatefulSet of 3 with volumeClaimTemplates: each pod keeps its own data across deletion and scaling', async (t) => {
    if (!ses.k(['api-resources', '--api-group=apps', '-o', 'name']).stdout.split('\n').includes('statefulsets.apps')) {
      t.skip('statefulsets are not served by this build');
      return;
    }
    // each pod writes its own identity once, then prints what its volume holds
    const script = 'if [ ! -f /data/id ]; then echo "$HOSTNAME-$(date +%s%N)" > /data/id; fi; cat /data/id; exec sleep 3600';
    ses.apply([
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'web', namespace: NS },
        spec: {
          serviceName: 'web',
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
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
            },
          },
          volumeClaimTemplates: [
            { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } } },
          ],
        },
      },
    ]);
    const idOf = (pod: string) =>
      until(
        `${pod} to print its id`,
        () => {
          if (!isRunning(ses.pod(pod))) return undefined;
          const out = ses.k(['logs', pod, '-n', NS]).stdout.trim();
          return out.startsWith(`${pod}-`) ? out : undefined;
        },
        120_000,
      );
    const ids = new Map<string, string>();
    for (const p of ['web-0', 'web-1', 'web-2']) ids.set(p, await idOf(p));
    assert.equal(new Set(ids.values()).size, 3, 'each pod has its own data');
    const uid = String(at(ses.pod('web-1'), 'metadata', 'uid'));
    ses.ok(['delete', 'pod', 'web-1', '-n', NS, '--wait=false']);
    await until(
      'web-1 made again',
      () => {
        const r = ses.k(['get', 'pod', 'web-1', '-n', NS, '-o', 'jsonpath={.metadata.uid}']);
        return r.code === 0 && r.stdout && r.stdout !== uid ? true : undefined;
      },
      60_000,
    );
    assert.equal(await idOf('web-1'), ids.get('web-1'), 'web-1 came back with its own data');
    ses.ok(['scale', 'statefulset', 'web', '-n', NS, '--replicas=1']);
    await until(
      'web-1 and web-2 gone',
      () => ses.k(['get', 'pod', 'web-2', '-n', NS]).code !== 0 && ses.k(['get', 'pod', 'web-1', '-n', NS]).code !== 0,
      90_000,
    );
    const claims = ses
      .k(['get', 'pvc', '-n', NS, '-o', 'name'])
      .stdout.split('\n')
      .filter((l) => l.includes('data-web-'));
    assert.equal(claims.length, 3, 'scaling down keeps the claims');
    ses.ok(['scale', 'statefulset', 'web', '-n', NS, '--replicas=3']);
    assert.equal(await idOf('web-2'), ids.get('web-2'), 'web-2 came back on its claim');
    ses.ok(['delete', 'statefulset', 'web', '-n', NS]);
  });
});
