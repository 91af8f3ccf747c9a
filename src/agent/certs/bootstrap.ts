// The node half of `tandem join` (upstream: kubelet's TLS bootstrap with kubeadm's discovery): pin
// the server's CA by its hash, ask for a `system:node:NAME` client certificate as the bootstrap
// token's user with a key made here, and write the node's own kubeconfig. The bootstrap token is
// used for this one request and never stored; a node that already holds a valid identity for the
// same server skips it all.

import { hostname } from 'node:os';
import { parseBootstrapToken } from '../../api/bootstrap/bootstrap-token.js';
import type { Logger } from '../../base/log.js';
import { isStatusError } from '../../base/errors.js';
import { readKubeconfig, writeKubeconfig } from '../../client/kubeconfig.js';
import { createRestClient } from '../../client/rest-client.js';
import { generateKeyAndCsr } from '../../pki/index.js';
import { discoverPinnedCa } from './discover-ca.js';
import { requestCertificate, SIGNER_CLIENT_KUBELET } from './csr-request.js';
import { nodeCredentialPaths, readPemPair, writePemPair } from './node-files.js';

export const NODE_GROUP = 'system:nodes';
export const nodeUserName = (nodeName: string) => `system:node:${nodeName}`;
/** upstream's usages for a kubelet client certificate with an ECDSA key */
export const CLIENT_USAGES = ['digital signature', 'client auth'];

export interface BootstrapOptions {
  /** https://HOST:PORT of the API server */
  server: string;
  /** the bootstrap token, `<id>.<secret>` */
  token: string;
  /** `sha256:<hex>`, already normalised (pki parseCaCertHash) */
  caCertHash: string;
  nodeName: string;
  /** the agent's data dir (DATA/agent) */
  dataDir: string;
  /** how long to wait for approval (default 5 minutes) */
  timeoutMs?: number;
  log: Logger;
  /** progress lines for the person running the join */
  say: (line: string) => void;
}

export interface BootstrapResult {
  kubeconfig: string;
  /** false when a valid node kubeconfig was already there and the bootstrap was skipped */
  bootstrapped: boolean;
}

/** Throws an Error saying what a bootstrap token looks like unless `token` is one. */
export function checkBootstrapToken(token: string): void {
  if (parseBootstrapToken(token) === undefined) {
    throw new Error(
      '--token: a bootstrap token is 6 and 16 characters of [a-z0-9] joined by a dot (abcdef.0123456789abcdef), as `tandem token create` prints it',
    );
  }
}

/** Why the node kubeconfig at `path` cannot be reused for `server` and `nodeName`, or undefined when it can. */
async function existingIdentityProblem(path: string, server: string, nodeName: string): Promise<string | undefined> {
  let creds;
  try {
    creds = readKubeconfig(path);
  } catch (e) {
    return e instanceof Error && /ENOENT/.test(e.message) ? 'none yet' : `unreadable (${e instanceof Error ? e.message : String(e)})`;
  }
  if (new URL(creds.server).host !== new URL(server).host) return `it names another server (${creds.server})`;
  const file = creds.clientCertFiles?.cert;
  const pair = file ? await readPemPair(file).catch(() => undefined) : undefined;
  if (!pair) return 'it holds no client certificate';
  if (!pair.x509.subject.split('\n').includes(`CN=${nodeUserName(nodeName)}`)) return `its certificate is not ${nodeUserName(nodeName)}'s`;
  if (Date.parse(pair.x509.validTo) <= Date.now()) return `its certificate expired on ${pair.x509.validTo}`;
  return undefined;
}

export async function bootstrapNode(o: BootstrapOptions): Promise<BootstrapResult> {
  const paths = nodeCredentialPaths(o.dataDir);
  const problem = await existingIdentityProblem(paths.kubeconfig, o.server, o.nodeName);
  if (problem === undefined) {
    o.say(`using the node identity already in ${paths.kubeconfig} (the bootstrap token is not needed)`);
    return { kubeconfig: paths.kubeconfig, bootstrapped: false };
  }
  if (problem !== 'none yet') o.say(`the node kubeconfig ${paths.kubeconfig} cannot be reused: ${problem}; joining anew`);
  checkBootstrapToken(o.token);
  const caPem = await discoverPinnedCa(o.server, o.caCertHash);
  o.say(`the server's CA matches ${o.caCertHash}`);
  const { csrPem, keyPem } = await generateKeyAndCsr({ commonName: nodeUserName(o.nodeName), organizations: [NODE_GROUP] });
  const client = createRestClient({ server: o.server, caPem, token: o.token, userAgent: `tandem-join/${hostname()}` });
  let certPem: string;
  try {
    certPem = await requestCertificate(client, {
      csrPem,
      signerName: SIGNER_CLIENT_KUBELET,
      usages: CLIENT_USAGES,
      namePrefix: 'node-csr-',
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      onCreated: (name) => o.say(`waiting for certificate signing request ${name} to be approved and signed`),
    });
  } catch (e) {
    throw explainRefusal(e, o.server);
  } finally {
    client.close();
  }
  await writePemPair(paths.clientPem, { cert: certPem, key: keyPem });
  // the certificate must be what was asked for, and for this key, before anything relies on it
  const pair = await readPemPair(paths.clientPem);
  if (!pair?.x509.subject.split('\n').includes(`CN=${nodeUserName(o.nodeName)}`)) {
    throw new Error(`the server issued a certificate for ${pair?.x509.subject ?? 'nobody'}, not ${nodeUserName(o.nodeName)}`);
  }
  await writeKubeconfig(paths.kubeconfig, {
    server: o.server,
    caPem,
    clientCertificate: { files: { cert: paths.clientPem, key: paths.clientPem } },
    userName: nodeUserName(o.nodeName),
  });
  o.say(`node identity ${nodeUserName(o.nodeName)} written to ${paths.kubeconfig} (certificate valid until ${pair.x509.validTo})`);
  return { kubeconfig: paths.kubeconfig, bootstrapped: true };
}

/** The server's refusals, in words that say what to do. */
function explainRefusal(e: unknown, server: string): unknown {
  if (!isStatusError(e)) return e;
  if (e.code === 401) {
    return new Error(
      `the server at ${server} refused the bootstrap token (401 Unauthorized): it is expired, deleted or mistyped. ` +
        'Create a new one on the server with `tandem token create` (`tandem token list` shows the valid ones)',
    );
  }
  if (e.code === 403) {
    return new Error(
      `the bootstrap token was accepted but may not request a node certificate (403 Forbidden: ${e.message}). ` +
        'Its groups need the system:node-bootstrapper role (the token must carry system:bootstrappers:kubeadm:default-node-token)',
    );
  }
  return e;
}
