// The storage conformance suite against a real one-member etcd (Debian's etcd-server), each test on
// its own key prefix of the same member, with upstream's key layout on.
import { after, before } from 'node:test';
import { runConformance } from '../testing/conformance.js';
import { etcdUnavailable, startEtcdCluster, type EtcdCluster } from './testing/etcd-cluster.js';
import { createEtcdBackend } from './etcd-backend.js';
import { UPSTREAM_LAYOUT } from './key-layout.js';

const why = etcdUnavailable();
let cluster: EtcdCluster | undefined;
let n = 0;

if (!why) {
  before(async () => {
    cluster = await startEtcdCluster({ size: 1 });
  });
  after(async () => {
    await cluster?.stop();
  });
  runConformance('etcd', async () =>
    createEtcdBackend({
      endpoints: cluster!.clientUrls.map((u) => new URL(u).host),
      prefix: `/conformance-${++n}`,
      layout: UPSTREAM_LAYOUT,
      callTimeoutMs: 5000,
    }),
  );
}
