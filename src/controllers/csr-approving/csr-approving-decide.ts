// What the CSR approver decides for one request. Kubelet client certificates
// (kubernetes.io/kube-apiserver-client-kubelet) are approved as upstream's sarapprove does: when the
// requestor may `create` certificatesigningrequests/selfnodeclient (a node renewing its own
// certificate: CN equals the requestor) or /nodeclient (a bootstrap token making a node's first
// one). Kubelet serving certificates (kubernetes.io/kubelet-serving) are approved when the requestor
// is the node named in the CN and every SAN is one of that Node's status.addresses or its name:
// upstream leaves this to operators; Tandem does it so that a joined node's agent is reachable with
// a certificate from the cluster CA without a manual step.

import type { CertificateSigningRequest, Node } from '../../api/gen/types.js';
import { parseCsr, type ParsedCsr } from '../../api/kinds/certificates/csr-request.js';
import { pemOf } from '../../api/kinds/certificates/csr.js';
import { nodeNameFromSubject, signerProblem, SIGNER_KUBELET_CLIENT, SIGNER_KUBELET_SERVING } from '../../api/kinds/certificates/signers.js';

/** The requestor as the API server recorded it on the CSR. */
interface Requestor {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Whether the requestor may create certificatesigningrequests/<subresource> (a SubjectAccessReview). */
export type AccessCheck = (user: Requestor, subresource: 'nodeclient' | 'selfnodeclient') => Promise<boolean>;

export type ApprovalDecision = { approve: true; message: string } | { approve: false; why: string };

const decided = (csr: CertificateSigningRequest) =>
  (csr.status?.conditions ?? []).some((c) => c.type === 'Approved' || c.type === 'Denied');

function requestorOf(csr: CertificateSigningRequest): Requestor {
  const s = csr.spec;
  return {
    name: s.username ?? '',
    groups: s.groups ?? [],
    ...(s.uid ? { uid: s.uid } : {}),
    ...(s.extra ? { extra: s.extra } : {}),
  };
}

function parsed(csr: CertificateSigningRequest): ParsedCsr | undefined {
  const pem = pemOf(csr.spec.request);
  if (pem === undefined) return undefined;
  try {
    return parseCsr(pem);
  } catch {
    return undefined;
  }
}

/** The SANs a node's serving certificate may carry: its addresses and its name. */
function nodeNames(node: Node): { ips: Set<string>; dns: Set<string> } {
  const ips = new Set<string>();
  const dns = new Set<string>([node.metadata.name ?? '']);
  for (const a of node.status?.addresses ?? []) {
    if (a.type === 'InternalIP' || a.type === 'ExternalIP') ips.add(a.address);
    else dns.add(a.address.toLowerCase());
  }
  return { ips, dns };
}

export async function decideApproval(
  csr: CertificateSigningRequest,
  nodeByName: (name: string) => Node | undefined,
  access: AccessCheck,
): Promise<ApprovalDecision> {
  if (decided(csr)) return { approve: false, why: 'already approved or denied' };
  const signer = csr.spec.signerName;
  if (signer !== SIGNER_KUBELET_CLIENT && signer !== SIGNER_KUBELET_SERVING)
    return { approve: false, why: `signer ${signer} is not auto-approved` };
  const req = parsed(csr);
  if (!req) return { approve: false, why: 'the request does not parse' };
  const usages = csr.spec.usages ?? [];
  const problem = signerProblem(signer, req, usages);
  if (problem) return { approve: false, why: problem.detail };
  const user = requestorOf(csr);
  if (signer === SIGNER_KUBELET_CLIENT) {
    if (req.commonName === user.name && (await access(user, 'selfnodeclient'))) {
      return { approve: true, message: 'Auto approving self kubelet client certificate after SubjectAccessReview.' };
    }
    if (await access(user, 'nodeclient')) {
      return { approve: true, message: 'Auto approving kubelet client certificate after SubjectAccessReview.' };
    }
    return { approve: false, why: `${user.name} may not create node client certificates` };
  }
  const nodeName = nodeNameFromSubject(user.name);
  if (!nodeName || !user.groups.includes('system:nodes')) return { approve: false, why: 'the requestor is not a node' };
  if (req.commonName !== user.name) return { approve: false, why: `the common name ${req.commonName} is not the requestor ${user.name}` };
  const node = nodeByName(nodeName);
  if (!node) return { approve: false, why: `node ${nodeName} does not exist` };
  const own = nodeNames(node);
  const foreignIps = req.ipAddresses.filter((ip) => !own.ips.has(ip));
  const foreignDns = req.dnsNames.filter((d) => !own.dns.has(d.toLowerCase()));
  if (foreignIps.length > 0 || foreignDns.length > 0) {
    return { approve: false, why: `SANs not among node ${nodeName}'s addresses: ${[...foreignIps, ...foreignDns].join(', ')}` };
  }
  return { approve: true, message: "Auto approving kubelet serving certificate after checking the node's addresses." };
}

/**
 * The access rule kubeadm's default bindings give: bootstrap tokens of the default node-token group
 * may get node client certificates, nodes may renew their own. Used when no authorizer grants it
 * (before RBAC bindings for these exist).
 */
export const defaultNodeClientAccess: AccessCheck = (user, sub) =>
  Promise.resolve(
    sub === 'nodeclient'
      ? user.groups.includes('system:bootstrappers:kubeadm:default-node-token') || user.groups.includes('system:bootstrappers')
      : user.groups.includes('system:nodes'),
  );
