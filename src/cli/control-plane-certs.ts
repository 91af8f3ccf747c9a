// What makes a server one of this cluster's control plane, and how it travels: the files in DATA/pki
// that must be identical on every API server (the CA that signs serving and client certificates,
// the ServiceAccount signing key pair, the admin token), sealed under a certificate key
// (src/pki/bundle-crypto.ts) into the Secret kube-system/tandem-control-plane-certs, which only
// bootstrap tokens of the control-plane group may read (a Role and RoleBinding, as kubeadm's
// kubeadm-certs). The Secret is owned by its bootstrap token's Secret, so the garbage collector
// removes it when the token cleaner removes the expired token. Per-server files (the serving
// certificate with the server's own names, the kubelet client certificate, the kubeconfig) are not
// in it: a joining server makes its own from the CA.

import { X509Certificate } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Role, RoleBinding, Secret } from '../api/gen/types.js';
import { secretKind } from '../api/kinds/core/secret.js';
import { roleKind } from '../api/kinds/rbac/role.js';
import { roleBindingKind } from '../api/kinds/rbac/binding.js';
import type { KubeObject } from '../api/object.js';
import type { KindDef } from '../api/kind.js';
import { isStatusError } from '../base/errors.js';
import { writeFileAtomic } from '../base/fs-atomic.js';
import type { RestClient } from '../client/rest-client.js';
import { caCertHash, pkiPaths } from '../pki/index.js';
import { readOptional } from '../pki/pki.js';
import { newCertificateKey, parseCertificateKey, sealBundle } from '../pki/bundle-crypto.js';

export const CERTS_NAMESPACE = 'kube-system';
export const CERTS_SECRET = 'tandem-control-plane-certs';
/** the extra group of `tandem token create --control-plane` tokens: the one group that may read the Secret */
export const CONTROL_PLANE_GROUP = 'system:bootstrappers:tandem:control-plane';
const ACCESS_NAME = 'tandem:control-plane-certs';
/** the Secret's data key holding nonce | ciphertext | tag */
export const SEALED_KEY = 'bundle';

/** The cluster-wide files, by name in DATA/pki, with the mode each is written with. */
const SHARED_FILES: ReadonlyArray<{ name: string; mode: number; what: string }> = [
  { name: 'ca.crt', mode: 0o644, what: 'the cluster CA certificate' },
  { name: 'ca.key', mode: 0o600, what: 'the cluster CA key (a joining server signs its own serving certificate with it)' },
  { name: 'sa.key', mode: 0o600, what: 'the ServiceAccount token signing key' },
  { name: 'sa.pub', mode: 0o644, what: 'the ServiceAccount token verification key' },
  { name: 'admin.token', mode: 0o600, what: 'the admin token' },
];

/** The shared files of the server whose data dir is `dataDir`, checked to be the cluster of `caPem` (the kubeconfig's CA). */
async function readSharedFiles(dataDir: string, caPem: string): Promise<Record<string, string>> {
  const dir = pkiPaths(dataDir).dir;
  const files: Record<string, string> = {};
  for (const f of SHARED_FILES) {
    const text = await readOptional(join(dir, f.name));
    if (text === undefined) {
      throw new Error(
        `${join(dir, f.name)} (${f.what}) is missing: run this on a host of a running server, with --data-dir naming its data dir`,
      );
    }
    files[f.name] = text;
  }
  if (caCertHash(files['ca.crt']!) !== caCertHash(caPem)) {
    throw new Error(`${join(dir, 'ca.crt')} is not the CA of the server in the kubeconfig: give the --data-dir of that server`);
  }
  return files;
}

/**
 * Writes the shared files into DATA/pki: files already there must be the same (a data dir of another
 * cluster is refused, naming the file), missing ones are written. Returns the names written.
 */
export async function writeSharedFiles(dataDir: string, files: Record<string, string>): Promise<string[]> {
  const dir = pkiPaths(dataDir).dir;
  const missing = SHARED_FILES.filter((f) => files[f.name] === undefined).map((f) => f.name);
  if (missing.length > 0) throw new Error(`the control-plane bundle lacks ${missing.join(', ')}`);
  const existing = await Promise.all(SHARED_FILES.map((f) => readOptional(join(dir, f.name))));
  SHARED_FILES.forEach((f, i) => {
    const have = existing[i];
    if (have !== undefined && have.trim() !== files[f.name]!.trim()) {
      throw new Error(
        `${join(dir, f.name)} (${f.what}) belongs to another cluster: this data dir is not empty. ` +
          `Use a new --data-dir for this server, or remove ${dir} if that cluster is gone for good`,
      );
    }
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const [i, f] of SHARED_FILES.entries()) {
    if (existing[i] !== undefined) continue;
    await writeFileAtomic(join(dir, f.name), files[f.name]!, f.mode);
    written.push(f.name);
  }
  return written;
}

/** Whether DATA/pki already holds every shared file, with the CA of `pin`; throws when the CA is another cluster's. */
export async function holdsClusterFiles(dataDir: string, pin: string): Promise<boolean> {
  const dir = pkiPaths(dataDir).dir;
  const ca = await readOptional(join(dir, 'ca.crt'));
  if (ca === undefined) return false;
  let hash: string;
  try {
    hash = caCertHash(new X509Certificate(ca));
  } catch {
    throw new Error(`${join(dir, 'ca.crt')} is not a certificate: remove ${dir} (this server has not joined yet) and join again`);
  }
  if (hash !== pin) {
    throw new Error(
      `${dir} holds another cluster's CA (${hash}, --ca-cert-hash is ${pin}): use a new --data-dir for this server, ` +
        `or remove ${dir} if that cluster is gone for good`,
    );
  }
  const present = await Promise.all(SHARED_FILES.map((f) => readOptional(join(dir, f.name))));
  return present.every((t) => t !== undefined);
}

/** Create, or replace what is there (the latest upload wins, as kubeadm's). */
async function upsert<T extends KubeObject>(client: RestClient, kind: KindDef<T>, obj: T): Promise<void> {
  const r = client.resource(kind).namespace(CERTS_NAMESPACE);
  try {
    await r.create(obj);
  } catch (e) {
    if (!(isStatusError(e) && e.code === 409)) throw e;
    const cur = await r.get(obj.metadata.name!);
    await r.update({ ...obj, metadata: { ...obj.metadata, resourceVersion: cur.metadata.resourceVersion } } as T);
  }
}

/**
 * The Secret is replaced by a new object (a new uid), not updated: the garbage collector may be
 * about to delete the previous one for its expired owner, and its delete, bound to that uid, must
 * not take the new upload with it.
 */
async function replaceSecret(client: RestClient, secret: Secret): Promise<void> {
  const r = client.resource(secretKind).namespace(CERTS_NAMESPACE);
  for (let attempt = 0; ; attempt++) {
    await r.delete(CERTS_SECRET).catch((e: unknown) => {
      if (!(isStatusError(e) && e.code === 404)) throw e;
    });
    try {
      await r.create(secret);
      return;
    } catch (e) {
      // another upload in between: the later of the two wins
      if (!(isStatusError(e) && e.code === 409 && attempt < 3)) throw e;
    }
  }
}

/** The Role and RoleBinding that let control-plane bootstrap tokens `get` the one Secret, and nothing else. */
function accessObjects(): [Role, RoleBinding] {
  const metadata = { name: ACCESS_NAME, namespace: CERTS_NAMESPACE };
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [CERTS_SECRET], verbs: ['get'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: ACCESS_NAME },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: CONTROL_PLANE_GROUP }],
    },
  ];
}

export interface UploadOptions {
  /** the server's data dir (the shared files are read from it) and the CA of the kubeconfig used */
  dataDir: string;
  caPem: string;
  /** the bootstrap token Secret that owns the upload */
  owner: { name: string; uid: string };
  /** when the bundle stops opening (the token's expiry) */
  notAfter: number;
}

/** Seals the shared files under a new certificate key, stores them, grants the access; returns the key (hex). */
export async function uploadControlPlaneCerts(client: RestClient, o: UploadOptions): Promise<string> {
  const files = await readSharedFiles(o.dataDir, o.caPem);
  const key = newCertificateKey();
  const secret: Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: CERTS_SECRET,
      namespace: CERTS_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Secret', name: o.owner.name, uid: o.owner.uid, blockOwnerDeletion: true }],
    },
    type: 'Opaque',
    // the sealed text is base64 of the bytes: stored as the Secret's value as is
    data: { [SEALED_KEY]: sealBundle({ files, notAfter: o.notAfter }, parseCertificateKey(key)) },
  };
  const [role, binding] = accessObjects();
  await upsert(client, roleKind, role);
  await upsert(client, roleBindingKind, binding);
  await replaceSecret(client, secret);
  return key;
}
