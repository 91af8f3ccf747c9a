// The joining half of `tandem server --join URL --token T --certificate-key K --ca-cert-hash H`: pin
// the running server's CA by its hash (as a node's `tandem join` does), read the sealed bundle with
// the bootstrap token, open it with the certificate key and write the cluster-wide files into
// DATA/pki. Then the server starts as any other on the shared store: its own serving certificate,
// kubelet client certificate and admin kubeconfig are made from these by the normal start. A data
// dir that already holds this cluster's files skips it all (a restart needs no --join); one that
// holds another cluster's is refused.

import { secretKind } from '../api/kinds/core/secret.js';
import { isStatusError } from '../base/errors.js';
import { createRestClient } from '../client/rest-client.js';
import { discoverPinnedCa } from '../agent/certs/index.js';
import { caCertHash, pkiPaths } from '../pki/index.js';
import { openBundle, parseCertificateKey } from '../pki/bundle-crypto.js';
import { CERTS_NAMESPACE, CERTS_SECRET, holdsClusterFiles, SEALED_KEY, writeSharedFiles } from './control-plane-certs.js';

export interface ControlPlaneJoin {
  /** https://HOST:PORT of a running server of the cluster */
  url: string;
  /** a bootstrap token of `tandem token create --control-plane` */
  token: string;
  /** 64 hex digits */
  certificateKey: string;
  /** sha256:<hex>, normalised */
  caCertHash: string;
}

const NEW_TOKEN = 'create a new one with `tandem token create --control-plane` on a running server';

/** A store that the joining server can share with the others: a server joined on its own SQLite file would be a cluster apart. */
export function checkJoinStore(spec: string): void {
  if (spec === 'memory' || spec === 'sqlite' || spec.startsWith('sqlite:')) {
    throw new Error(
      `--join with --store ${spec}: a joining server must use the store the cluster's servers share (--store etcd://HOST:PORT…, the same as theirs)`,
    );
  }
}

/** Why the server refused to hand out the Secret, with the fix. */
function fetchError(e: unknown, url: string): Error {
  if (isStatusError(e)) {
    if (e.code === 401) {
      return new Error(`the server at ${url} rejected the token (401 Unauthorized): it is wrong, expired or deleted; ${NEW_TOKEN}`);
    }
    if (e.code === 403) {
      return new Error(
        `the token may not read ${CERTS_NAMESPACE}/${CERTS_SECRET} (403 Forbidden): it is a node token, not one made with ` +
          `\`tandem token create --control-plane\`; ${NEW_TOKEN}`,
      );
    }
    if (e.code === 404) {
      return new Error(
        `the server at ${url} holds no control-plane certificates (${CERTS_NAMESPACE}/${CERTS_SECRET}: they go with their token when it expires); ${NEW_TOKEN}`,
      );
    }
  }
  return new Error(`cannot read the control-plane certificates from ${url}: ${e instanceof Error ? e.message : String(e)}`);
}

/** Makes DATA/pki hold the cluster's shared files; `joined` is false when they were already there. */
export async function joinControlPlane(dataDir: string, j: ControlPlaneJoin, say: (line: string) => void): Promise<{ joined: boolean }> {
  if (await holdsClusterFiles(dataDir, j.caCertHash)) {
    say(`${pkiPaths(dataDir).dir} already holds this cluster's keys: starting without fetching them (--join is not needed again)`);
    return { joined: false };
  }
  const caPem = await discoverPinnedCa(j.url, j.caCertHash);
  say(`the server's CA matches ${j.caCertHash}`);
  const client = createRestClient({ server: j.url, caPem, token: j.token, userAgent: 'tandem-server-join' });
  let sealed: string | undefined;
  try {
    const secret = await client.resource(secretKind).namespace(CERTS_NAMESPACE).get(CERTS_SECRET);
    sealed = secret.data?.[SEALED_KEY];
  } catch (e) {
    throw fetchError(e, j.url);
  } finally {
    client.close();
  }
  if (sealed === undefined) throw new Error(`${CERTS_NAMESPACE}/${CERTS_SECRET} on ${j.url} holds no ${SEALED_KEY}; ${NEW_TOKEN}`);
  const bundle = openBundle(sealed, parseCertificateKey(j.certificateKey));
  const ca = bundle.files['ca.crt'];
  if (ca === undefined || caCertHash(ca) !== j.caCertHash) {
    throw new Error(`the certificates on ${j.url} are not those of the CA ${j.caCertHash}: refusing them`);
  }
  const written = await writeSharedFiles(dataDir, bundle.files);
  say(`wrote the cluster's ${written.join(', ')} into ${pkiPaths(dataDir).dir}`);
  return { joined: true };
}
