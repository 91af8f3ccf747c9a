// The built-in signers of certificates.k8s.io and what each accepts in a request (upstream's
// kubelet client/serving CSR rules and the kube-apiserver-client usages): shared by validation,
// the approver and the signer so that all three agree.

import type { ParsedCsr } from './csr-request.js';

export const SIGNER_KUBELET_CLIENT = 'kubernetes.io/kube-apiserver-client-kubelet';
export const SIGNER_KUBELET_SERVING = 'kubernetes.io/kubelet-serving';
export const SIGNER_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';

const NODE_PREFIX = 'system:node:';
const NODES_GROUP = 'system:nodes';

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const sa = new Set(a);
  return sa.size === b.length && b.every((x) => sa.has(x));
};

const KUBELET_CLIENT_USAGES = ['digital signature', 'key encipherment', 'client auth'];
const KUBELET_CLIENT_USAGES_NO_RSA = ['digital signature', 'client auth'];
const KUBELET_SERVING_USAGES = ['digital signature', 'key encipherment', 'server auth'];
const KUBELET_SERVING_USAGES_NO_RSA = ['digital signature', 'server auth'];
const APISERVER_CLIENT_USAGES = new Set(['digital signature', 'key encipherment', 'client auth']);

/** Which field a rule of a signer found wrong, and why (upstream's messages). */
export interface SignerProblem {
  field: 'spec.request' | 'spec.usages';
  detail: string;
}

const onlySystemNodes = (c: ParsedCsr) => c.organizations.length === 1 && c.organizations[0] === NODES_GROUP;

/** A node's client certificate request: O=system:nodes, CN=system:node:NAME, no SANs, client usages. */
function kubeletClientProblem(c: ParsedCsr, usages: readonly string[]): SignerProblem | undefined {
  const req = (detail: string): SignerProblem => ({ field: 'spec.request', detail });
  if (!onlySystemNodes(c)) return req('subject organization is not system:nodes');
  if (c.dnsNames.length > 0) return req('DNS subjectAltNames are not allowed');
  if (c.emailAddresses.length > 0) return req('Email subjectAltNames are not allowed');
  if (c.ipAddresses.length > 0) return req('IP subjectAltNames are not allowed');
  if (c.uris.length > 0) return req('URI subjectAltNames are not allowed');
  if (!c.commonName.startsWith(NODE_PREFIX)) return req('subject common name does not begin with system:node:');
  if (!sameSet(usages, KUBELET_CLIENT_USAGES) && !sameSet(usages, KUBELET_CLIENT_USAGES_NO_RSA)) {
    return { field: 'spec.usages', detail: `usages did not match [${[...KUBELET_CLIENT_USAGES].sort().join(' ')}]` };
  }
  return undefined;
}

/** A node's serving certificate request: O=system:nodes, CN=system:node:NAME, DNS/IP SANs only, server usages. */
function kubeletServingProblem(c: ParsedCsr, usages: readonly string[]): SignerProblem | undefined {
  const req = (detail: string): SignerProblem => ({ field: 'spec.request', detail });
  if (!onlySystemNodes(c)) return req('subject organization is not system:nodes');
  if (c.dnsNames.length === 0 && c.ipAddresses.length === 0) return req('DNS or IP subjectAltName is required');
  if (c.emailAddresses.length > 0) return req('Email subjectAltNames are not allowed');
  if (c.uris.length > 0) return req('URI subjectAltNames are not allowed');
  if (!sameSet(usages, KUBELET_SERVING_USAGES) && !sameSet(usages, KUBELET_SERVING_USAGES_NO_RSA)) {
    return { field: 'spec.usages', detail: `usages did not match [${[...KUBELET_SERVING_USAGES].sort().join(' ')}]` };
  }
  if (!c.commonName.startsWith(NODE_PREFIX)) return req('subject common name does not begin with system:node:');
  return undefined;
}

/** A client certificate for the API server: only client usages. */
function apiServerClientProblem(usages: readonly string[]): SignerProblem | undefined {
  const bad = usages.filter((u) => !APISERVER_CLIENT_USAGES.has(u));
  if (bad.length > 0) return { field: 'spec.usages', detail: `invalid usage for client certificate: ${bad.join(', ')}` };
  return undefined;
}

/** The rules of the signer named, for the signers this cluster runs; undefined for others (their own business). */
export function signerProblem(signerName: string, c: ParsedCsr, usages: readonly string[]): SignerProblem | undefined {
  switch (signerName) {
    case SIGNER_KUBELET_CLIENT:
      return kubeletClientProblem(c, usages);
    case SIGNER_KUBELET_SERVING:
      return kubeletServingProblem(c, usages);
    case SIGNER_APISERVER_CLIENT:
      return apiServerClientProblem(usages);
    default:
      return undefined;
  }
}

/** The node name of a `system:node:NAME` common name or user name, else undefined. */
export function nodeNameFromSubject(name: string): string | undefined {
  return name.startsWith(NODE_PREFIX) && name.length > NODE_PREFIX.length ? name.slice(NODE_PREFIX.length) : undefined;
}
