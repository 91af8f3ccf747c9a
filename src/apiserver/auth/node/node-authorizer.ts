// The Node authorizer (upstream's --authorization-mode=Node): a `system:node:<name>` user in the
// system:nodes group reads only the Secrets, ConfigMaps, PVCs and PVs of the pods bound to it,
// creates tokens only for their ServiceAccounts, touches only its own Lease and CSINode, and does
// the rest of what upstream's system:node rules allow. Anything else it answers "no opinion", so
// that RBAC may still grant it; users that are not nodes it leaves alone.

import type { AuthorizationAttributes, Authorizer } from '../authorizer.js';
import type { NodeGraphView, VertexType } from './graph.js';
import { nodeRulesAllow } from './node-rules.js';

type Result = { decision: 'allow' | 'no-opinion'; reason: string };

const ALLOW: Result = { decision: 'allow', reason: '' };
const no = (reason: string): Result => ({ decision: 'no-opinion', reason });

const NODE_PREFIX = 'system:node:';
const NODES_GROUP = 'system:nodes';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The node a user acts for: undefined when the user is not a node; '' when it is one without a name. */
function nodeIdentity(a: AuthorizationAttributes): string | undefined {
  const u = a.user;
  if (!u.name.startsWith(NODE_PREFIX) || !u.groups.includes(NODES_GROUP)) return undefined;
  return u.name.slice(NODE_PREFIX.length);
}

export function createNodeAuthorizer(graph: NodeGraphView): Authorizer {
  const related = (node: string, type: VertexType, a: AuthorizationAttributes): Result => {
    if (!a.name) return no('No Object name found');
    return graph.related(node, type, a.namespace, a.name) ? ALLOW : no(`no relationship found between node '${node}' and this object`);
  };

  const readNamespaced = (node: string, type: VertexType, a: AuthorizationAttributes): Result => {
    if (a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch') return no('can only read resources of this type');
    if (a.subresource) return no('cannot read subresource');
    if (!a.namespace) return no('can only read namespaced object of this type');
    return related(node, type, a);
  };

  const getOnly = (node: string, type: VertexType | undefined, a: AuthorizationAttributes): Result => {
    if (a.verb !== 'get') return no('can only get individual resources of this type');
    if (a.subresource) return no('cannot get subresource');
    // kinds Tandem does not serve (PVs, VolumeAttachments, ResourceClaims) have no edges to follow
    return type ? related(node, type, a) : no(`no relationship found between node '${node}' and this object`);
  };

  const pvcStatus = (node: string, a: AuthorizationAttributes): Result => {
    if (a.verb !== 'update' && a.verb !== 'patch') return no('can only get/update/patch this type');
    return related(node, 'pvc', a);
  };

  const createToken = (node: string, a: AuthorizationAttributes): Result => {
    if (a.verb !== 'create' || !a.name) return no('can only create tokens for individual service accounts');
    if (a.subresource !== 'token') return no('can only create token subresource of serviceaccount');
    return related(node, 'serviceaccount', a);
  };

  /** Leases and CSINodes: only the node's own, by name (the name of a create is checked by NodeRestriction). */
  const ownNamed = (node: string, a: AuthorizationAttributes, what: 'lease' | 'CSINode'): Result => {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb))
      return no(
        what === 'lease'
          ? 'can only get, create, update, patch, or delete a node lease'
          : 'can only get, create, update, patch, or delete a CSINode',
      );
    if (what === 'lease' && a.namespace !== NODE_LEASE_NAMESPACE)
      return no(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    if (what === 'CSINode' && a.subresource) return no('cannot authorize CSINode subresources');
    if (a.verb !== 'create' && a.name !== node)
      return no(
        what === 'lease'
          ? 'can only access node lease with the same name as the requesting node'
          : 'can only access CSINode with the same name as the requesting node',
      );
    return ALLOW;
  };

  return {
    authorize(a) {
      const node = nodeIdentity(a);
      if (node === undefined) return no('');
      if (node === '') return no(`unknown node for user "${a.user.name}"`);
      if (a.resourceRequest) {
        const gr = `${a.resource}.${a.apiGroup}`;
        switch (gr) {
          case 'secrets.':
            return readNamespaced(node, 'secret', a);
          case 'configmaps.':
            return readNamespaced(node, 'configmap', a);
          case 'persistentvolumeclaims.':
            return a.subresource === 'status' ? pvcStatus(node, a) : getOnly(node, 'pvc', a);
          case 'persistentvolumes.':
            // Tandem: an agent watches volumes for its local-path cleanup (node-rules.ts; NodeRestriction narrows writes)
            return nodeRulesAllow(a) ? ALLOW : getOnly(node, undefined, a);
          case 'resourceclaims.resource.k8s.io':
          case 'volumeattachments.storage.k8s.io':
            return getOnly(node, undefined, a);
          case 'serviceaccounts.':
            return createToken(node, a);
          case 'leases.coordination.k8s.io':
            return ownNamed(node, a, 'lease');
          case 'csinodes.storage.k8s.io':
            return ownNamed(node, a, 'CSINode');
        }
      }
      return nodeRulesAllow(a) ? ALLOW : no('');
    },
  };
}
