// What every node may do regardless of its pods: upstream's NodeRules (the rules of the system:node
// ClusterRole), evaluated by the Node authorizer for the requests it does not subdivide. Secrets,
// ConfigMaps, PVCs, ServiceAccount tokens and Leases never reach these rules: the authorizer
// decides them from the graph or by name first (PVs reach them: see the rule below).

import type { AuthorizationAttributes } from '../authorizer.js';

interface Rule {
  verbs: readonly string[];
  groups: readonly string[];
  /** `resource` or `resource/subresource` */
  resources: readonly string[];
}

const READ = ['get', 'list', 'watch'];

const NODE_RULES: readonly Rule[] = [
  // delegated authentication and authorization of the agent's own server
  { verbs: ['create'], groups: ['authentication.k8s.io'], resources: ['tokenreviews'] },
  { verbs: ['create'], groups: ['authorization.k8s.io'], resources: ['subjectaccessreviews', 'localsubjectaccessreviews'] },
  // Service environment variables of pods
  { verbs: READ, groups: [''], resources: ['services'] },
  // registration and status (NodeRestriction limits these to the node's own object)
  { verbs: ['create', 'get', 'list', 'watch'], groups: [''], resources: ['nodes'] },
  { verbs: ['update', 'patch'], groups: [''], resources: ['nodes/status'] },
  { verbs: ['update', 'patch'], groups: [''], resources: ['nodes'] },
  { verbs: ['create', 'update', 'patch'], groups: ['', 'events.k8s.io'], resources: ['events'] },
  // the node's pods (NodeRestriction: mirror pods only, status and deletes of pods bound to it)
  { verbs: READ, groups: [''], resources: ['pods'] },
  { verbs: ['create', 'delete'], groups: [''], resources: ['pods'] },
  { verbs: ['update', 'patch'], groups: [''], resources: ['pods/status'] },
  { verbs: ['create'], groups: [''], resources: ['pods/eviction'] },
  { verbs: ['get'], groups: [''], resources: ['endpoints'] },
  // Tandem's agent also runs the service proxy (upstream's kube-proxy, role system:node-proxier)
  { verbs: ['list', 'watch'], groups: [''], resources: ['endpoints'] },
  { verbs: READ, groups: ['discovery.k8s.io'], resources: ['endpointslices'] },
  // client certificate rotation
  { verbs: ['create', 'get', 'list', 'watch'], groups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'] },
  { verbs: READ, groups: ['storage.k8s.io'], resources: ['csidrivers'] },
  { verbs: READ, groups: ['node.k8s.io'], resources: ['runtimeclasses'] },
  // Tandem's local-path volumes: the agent reads volumes and removes its cleanup finalizer from
  // those of its node (NodeRestriction allows nothing else); claims still come through the pod graph
  { verbs: [...READ, 'patch', 'update'], groups: [''], resources: ['persistentvolumes'] },
];

/** True when the static node rules allow the resource request. */
export function nodeRulesAllow(a: AuthorizationAttributes): boolean {
  if (!a.resourceRequest) return false;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return NODE_RULES.some((r) => r.verbs.includes(a.verb) && r.groups.includes(a.apiGroup) && r.resources.includes(res));
}
