// A joined node's certificates, kept fresh while the agent runs: its client certificate (renewed as
// the node itself, signer kube-apiserver-client-kubelet; the REST client picks the new file up) and
// the serving certificate of its streaming server (signer kubelet-serving, for the addresses the
// Node object reports, so the API server can verify it against the cluster CA).

import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { Node } from '../../api/gen/types.js';
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { startCertificateManager, type CertificateManager } from './cert-manager.js';
import { SIGNER_CLIENT_KUBELET, SIGNER_KUBELET_SERVING } from './csr-request.js';
import { CLIENT_USAGES, NODE_GROUP, nodeUserName } from './bootstrap.js';
import { nodeCredentialPaths, type PemPair } from './node-files.js';

/** upstream's usages for a kubelet serving certificate with an ECDSA key */
const SERVING_USAGES = ['digital signature', 'server auth'];

export interface NodeCertificatesOptions {
  client: RestClient;
  /** the agent's data dir (DATA/agent) */
  dataDir: string;
  nodeName: string;
  log: Logger;
  clock: Clock;
  /** resolves once the Node object is registered: the serving certificate names its addresses */
  nodeRegistered: Promise<void>;
  /** the streaming server takes each serving certificate; absent: no serving certificate is requested */
  onServingCertificate?: (pair: PemPair) => void;
}

export interface NodeCertificates {
  client: CertificateManager;
  /** undefined until the Node is registered */
  serving(): CertificateManager | undefined;
  stop(): void;
}

/** The Node's addresses as SANs: IPs and host names, de-duplicated, in the Node's order. */
function nodeSans(node: Pick<Node, 'status'>): string[] {
  return [...new Set((node.status?.addresses ?? []).map((a) => a.address).filter((a) => a !== ''))];
}

const covers = (cert: X509Certificate, hosts: string[]) =>
  hosts.every((h) => (isIP(h) ? cert.checkIP(h) : cert.checkHost(h, { subject: 'never' })) !== undefined);

export function startNodeCertificates(o: NodeCertificatesOptions): NodeCertificates {
  const paths = nodeCredentialPaths(o.dataDir);
  const subject = { commonName: nodeUserName(o.nodeName), organizations: [NODE_GROUP] };
  const client = startCertificateManager({
    client: o.client,
    file: paths.clientPem,
    subject: async () => subject,
    signerName: SIGNER_CLIENT_KUBELET,
    usages: CLIENT_USAGES,
    namePrefix: 'csr-',
    log: o.log.child('client-cert'),
    clock: o.clock,
  });
  let serving: CertificateManager | undefined;
  let stopped = false;
  const onServing = o.onServingCertificate;
  void o.nodeRegistered.then(async () => {
    if (stopped || !onServing) return;
    const hosts = async () => {
      const node = await o.client.resource(nodeKind).get(o.nodeName);
      const sans = nodeSans(node);
      if (sans.length === 0) throw new Error(`node ${o.nodeName} reports no addresses to put in a serving certificate`);
      return sans;
    };
    const now = await hosts().catch(() => [] as string[]);
    if (stopped) return;
    serving = startCertificateManager({
      client: o.client,
      file: paths.servingPem,
      subject: async () => ({ ...subject, hosts: await hosts() }),
      usable: (cert) => covers(cert, now),
      signerName: SIGNER_KUBELET_SERVING,
      usages: SERVING_USAGES,
      namePrefix: 'csr-',
      onCertificate: onServing,
      log: o.log.child('serving-cert'),
      clock: o.clock,
    });
  });
  return {
    client,
    serving: () => serving,
    stop() {
      stopped = true;
      client.stop();
      serving?.stop();
    },
  };
}
