// NodeRestriction admission (upstream's plugin of that name): what the Node authorizer lets every
// node do, narrowed to the node's own objects. A node creates or changes only its own Node (not its
// taints, nor labels outside the kubelet's set, nor any under node-restriction.kubernetes.io/),
// creates only mirror pods bound to itself, updates the status of and deletes or evicts only pods
// bound to itself, requests ServiceAccount tokens only bound to its own pods, and touches only its
// own Lease in kube-node-lease. Requests of other users pass untouched.

import { isDeepStrictEqual } from 'node:util';
import type { Node, Pod, TokenRequest } from '../../api/gen/types.js';
import type { AnyObject } from '../../api/object.js';
import { StatusError } from '../../base/errors.js';
import {
  LABEL_ARCH,
  LABEL_ARCH_BETA,
  LABEL_HOSTNAME,
  LABEL_INSTANCE_TYPE,
  LABEL_OS,
  LABEL_OS_BETA,
  LABEL_REGION,
  LABEL_ZONE,
} from '../../api/well-known.js';
import { MIRROR_POD_ANNOTATION, podRefs } from '../auth/node/index.js';
import type { AdmissionPlugin, AdmissionRequest } from './plugin.js';
import { volumeWriteRefusal } from './node-restriction-volumes.js';

export interface NodeRestrictionOptions {
  /** the stored pod (for deletes, evictions and token requests that name one) */
  getPod(namespace: string, name: string): Promise<Pod | undefined>;
  /** the stored Node (a mirror pod's owner reference must carry its uid) */
  getNode(name: string): Promise<Node | undefined>;
}

const NODE_PREFIX = 'system:node:';
const NODES_GROUP = 'system:nodes';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const RESTRICTION_NAMESPACE = 'node-restriction.kubernetes.io';

/** Labels a kubelet sets on its own Node (upstream's kubeletLabels), and the namespaces it owns. */
const KUBELET_LABELS = new Set([
  LABEL_HOSTNAME,
  LABEL_ZONE,
  LABEL_REGION,
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  LABEL_INSTANCE_TYPE,
  LABEL_OS,
  LABEL_ARCH,
  LABEL_OS_BETA,
  LABEL_ARCH_BETA,
  'failure-domain.kubernetes.io/zone',
  'failure-domain.kubernetes.io/region',
  'kubernetes.io/instance-type',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

const labelNamespace = (key: string) => (key.includes('/') ? key.slice(0, key.indexOf('/')) : '');
const inNamespace = (ns: string, domain: string) => ns === domain || ns.endsWith(`.${domain}`);

function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((d) => inNamespace(ns, d));
}

/** Label keys a node may not add, remove or change on its own Node, sorted. */
function forbiddenLabels(next: Record<string, string> = {}, prev: Record<string, string> = {}): string[] {
  const modified = new Set<string>();
  for (const [k, v] of Object.entries(next)) if (prev[k] !== v) modified.add(k);
  for (const [k, v] of Object.entries(prev)) if (next[k] !== v) modified.add(k);
  const out: string[] = [];
  for (const k of modified) {
    const ns = labelNamespace(k);
    const kubernetes = inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
    if (inNamespace(ns, RESTRICTION_NAMESPACE) || (kubernetes && !isKubeletLabel(k))) out.push(k);
  }
  return out.sort();
}

/** upstream's admission.NewForbidden: `<resource> "<name>" is forbidden: <why>` */
function forbidden(r: AdmissionRequest, why: string): StatusError {
  const gr = r.kind.group ? `${r.kind.plural}.${r.kind.group}` : r.kind.plural;
  const name = r.name || (r.object?.metadata.name ?? '');
  return new StatusError(403, 'Forbidden', `${gr} "${name}" is forbidden: ${why}`, {
    name,
    ...(r.kind.group ? { group: r.kind.group } : {}),
    kind: r.kind.plural,
  });
}

function nodeIdentity(r: AdmissionRequest): string | undefined {
  if (!r.user.name.startsWith(NODE_PREFIX) || !r.user.groups.includes(NODES_GROUP)) return undefined;
  return r.user.name.slice(NODE_PREFIX.length);
}

const notFound = (what: string, name: string) => new StatusError(404, 'NotFound', `${what} "${name}" not found`, { name, kind: what });

export function createNodeRestriction(o: NodeRestrictionOptions): AdmissionPlugin {
  async function admitPod(node: string, r: AdmissionRequest): Promise<void> {
    if (r.operation === 'CREATE') return admitMirrorPod(node, r, r.object as unknown as Pod);
    if (r.operation === 'DELETE') {
      const pod = (r.oldObject as unknown as Pod | undefined) ?? (await o.getPod(r.namespace ?? '', r.name));
      if (!pod) throw notFound('pods', r.name);
      if (pod.spec?.nodeName !== node) throw forbidden(r, `node "${node}" can only delete pods with spec.nodeName set to itself`);
      return;
    }
    throw forbidden(r, `unexpected operation "${r.operation}", node "${node}" can only create and delete mirror pods`);
  }

  async function admitMirrorPod(node: string, r: AdmissionRequest, pod: Pod): Promise<void> {
    if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] === undefined)
      throw forbidden(r, `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
    if (pod.spec?.nodeName !== node) throw forbidden(r, `node "${node}" can only create pods with spec.nodeName set to itself`);
    const owners = pod.metadata.ownerReferences ?? [];
    if (owners.length > 1) throw forbidden(r, `node "${node}" can only create pods with a single owner reference set to itself`);
    const owner = owners[0];
    if (!owner || owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== node)
      throw forbidden(r, `node "${node}" can only create pods with an owner reference set to itself`);
    if (owner.controller !== true)
      throw forbidden(r, `node "${node}" can only create pods with a controller owner reference set to itself`);
    if (owner.blockOwnerDeletion === true) throw forbidden(r, `node "${node}" must not set blockOwnerDeletion on an owner reference`);
    const self = await o.getNode(node);
    if (!self) throw notFound('nodes', node);
    if (owner.uid !== self.metadata.uid)
      throw forbidden(r, `node ${node} UID mismatch: expected ${owner.uid} got ${self.metadata.uid ?? ''}`);
    // a mirror pod must not reach other objects: binding it would let the node read them
    const refs = podRefs(pod);
    if (refs.serviceAccount) throw forbidden(r, `node "${node}" can not create pods that reference a service account`);
    if (refs.secrets.size) throw forbidden(r, `node "${node}" can not create pods that reference secrets`);
    if (refs.configMaps.size) throw forbidden(r, `node "${node}" can not create pods that reference configmaps`);
    if (refs.clusterTrustBundles) throw forbidden(r, `node "${node}" can not create pods that reference clustertrustbundles`);
    if ((pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim))
      throw forbidden(r, `node "${node}" can not create pods that reference persistentvolumeclaims`);
  }

  function admitPodStatus(node: string, r: AdmissionRequest): void {
    if (r.operation !== 'UPDATE') throw forbidden(r, `unexpected operation "${r.operation}"`);
    const old = r.oldObject as unknown as Pod;
    if (old.spec?.nodeName !== node)
      throw forbidden(r, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
    const next = r.object as unknown as Pod;
    if (!isDeepStrictEqual(old.metadata.labels ?? {}, next.metadata.labels ?? {}))
      throw forbidden(r, `node "${node}" cannot update labels through pod status`);
  }

  async function admitEviction(node: string, r: AdmissionRequest): Promise<void> {
    if (r.operation !== 'CREATE') throw forbidden(r, `unexpected operation ${r.operation}`);
    const podName = r.name || (r.object?.metadata.name ?? '');
    if (!podName) throw forbidden(r, 'could not determine pod from request data');
    const pod = await o.getPod(r.namespace ?? '', podName);
    if (!pod) throw notFound('pods', podName);
    if (pod.spec?.nodeName !== node) throw forbidden(r, `node ${node} can only evict pods with spec.nodeName set to itself`);
  }

  function admitNode(node: string, r: AdmissionRequest): void {
    if (r.name !== node) throw forbidden(r, `node "${node}" is not allowed to modify node "${r.name}"`);
    const next = r.object as unknown as Node | undefined;
    if (r.operation === 'CREATE' && next) {
      if (next.spec?.configSource) throw forbidden(r, `node "${node}" is not allowed to create pods with a non-nil configSource`);
      const bad = forbiddenLabels(next.metadata.labels);
      if (bad.length) throw forbidden(r, `node "${node}" is not allowed to set the following labels: ${bad.join(', ')}`);
    }
    if (r.operation === 'UPDATE' && next) {
      const old = r.oldObject as unknown as Node;
      if (next.spec?.configSource && !isDeepStrictEqual(next.spec.configSource, old.spec?.configSource))
        throw forbidden(r, `node "${node}" is not allowed to update configSource to a new non-nil configSource`);
      // no taints and empty taints are the same (upstream's semantic equality)
      const taints = (n: Node) => (n.spec?.taints?.length ? n.spec.taints : []);
      if (!isDeepStrictEqual(taints(next), taints(old))) throw forbidden(r, `node "${node}" is not allowed to modify taints`);
      const bad = forbiddenLabels(next.metadata.labels, old.metadata.labels);
      if (bad.length) throw forbidden(r, `is not allowed to modify labels: ${bad.join(', ')}`);
    }
  }

  async function admitToken(node: string, r: AdmissionRequest): Promise<void> {
    const ref = (r.object as unknown as TokenRequest | undefined)?.spec?.boundObjectRef;
    if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name) throw forbidden(r, 'node requested token not bound to a pod');
    if (!ref.uid) throw forbidden(r, 'node requested token with a pod binding without a uid');
    const pod = await o.getPod(r.namespace ?? '', ref.name);
    if (!pod) throw notFound('pods', ref.name);
    if (ref.uid !== pod.metadata.uid)
      throw forbidden(
        r,
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    if (pod.spec?.nodeName !== node) throw forbidden(r, 'node requested token bound to a pod scheduled on a different node');
  }

  /** A node may change a claim's status.capacity and status.conditions, nothing else. */
  function admitPvcStatus(node: string, r: AdmissionRequest): void {
    if (r.operation !== 'UPDATE' || !r.object || !r.oldObject) throw forbidden(r, `unexpected operation "${r.operation}"`);
    const strip = (o: AnyObject) => {
      const { resourceVersion: _rv, managedFields: _mf, ...metadata } = o.metadata;
      const { capacity: _c, conditions: _k, ...status } = (o['status'] ?? {}) as Record<string, unknown>;
      return { ...o, metadata, status };
    };
    if (!isDeepStrictEqual(strip(r.object), strip(r.oldObject)))
      throw forbidden(r, `node "${node}" is not allowed to update fields other than status.capacity and status.conditions`);
  }

  function admitLease(node: string, r: AdmissionRequest): void {
    if (r.namespace !== NODE_LEASE_NAMESPACE)
      throw forbidden(r, `can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    const name = r.operation === 'CREATE' ? (r.object?.metadata.name ?? '') : r.name;
    if (name !== node) throw forbidden(r, 'can only access node lease with the same name as the requesting node');
  }

  return {
    name: 'NodeRestriction',
    async validate(r) {
      const node = nodeIdentity(r);
      if (node === undefined) return;
      if (node === '') throw forbidden(r, `could not determine node from user "${r.user.name}"`);
      const gr = `${r.kind.plural}.${r.kind.group}`;
      switch (gr) {
        case 'pods.':
          if (r.subresource === undefined) return admitPod(node, r);
          if (r.subresource === 'status') return admitPodStatus(node, r);
          if (r.subresource === 'eviction') return admitEviction(node, r);
          throw forbidden(r, `unexpected pod subresource "${r.subresource}", only 'status' and 'eviction' are allowed`);
        case 'nodes.':
          return admitNode(node, r);
        case 'persistentvolumeclaims.':
          if (r.subresource !== 'status') throw forbidden(r, 'may only update PVC status');
          return admitPvcStatus(node, r);
        case 'persistentvolumes.': {
          const why = volumeWriteRefusal(node, r.subresource ? 'status' : r.operation, r.object, r.oldObject);
          if (why) throw forbidden(r, why);
          return;
        }
        case 'serviceaccounts.':
          if (r.operation === 'CREATE' && r.subresource === 'token') return admitToken(node, r);
          return;
        case 'leases.coordination.k8s.io':
          return admitLease(node, r);
      }
    },
  };
}
