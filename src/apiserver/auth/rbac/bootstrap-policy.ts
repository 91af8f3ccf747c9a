// Upstream's default cluster roles and bindings (plugin/pkg/auth/authorizer/rbac/bootstrappolicy),
// as far as Tandem serves the resources they name, plus what Tandem's own components need beyond
// upstream's (the scheduler reads image pull secrets and RuntimeClasses; every control-plane
// component leads through the `tandem-control-plane` Lease in kube-system). `system:node` exists but
// is not bound, as upstream (the Node authorizer judges nodes).

import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../../api/gen/types.js';
import { controllerBindings, controllerRoles } from './bootstrap-policy-controllers.js';
import {
  clusterBinding,
  clusterRole,
  eventsRule,
  group,
  READ,
  READ_WRITE,
  role,
  roleBinding,
  serviceAccount,
  rule,
  urlRule,
  user,
  WRITE,
} from './policy-builders.js';

const AUTHN = 'authentication.k8s.io';
const AUTHZ = 'authorization.k8s.io';
const CERTS = 'certificates.k8s.io';
const COORD = 'coordination.k8s.io';
const STORAGE = 'storage.k8s.io';

/** The group bootstrap tokens authenticate into by default (auth-extra-groups). */
const BOOTSTRAP_GROUP = 'system:bootstrappers:kubeadm:default-node-token';

/** The Lease Tandem's control plane elects its leader with (src/cli/controllers.ts). */
const CONTROL_PLANE_LEASE = 'tandem-control-plane';

const aggregateTo = (role: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${role}`]: 'true' });

function userFacingRoles(): ClusterRole[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urlRule(['*'], ['*'])]),
    clusterRole('admin', [], { aggregateFrom: 'admin' }),
    clusterRole('edit', [], { aggregateFrom: 'edit', labels: aggregateTo('admin') }),
    clusterRole('view', [], { aggregateFrom: 'view', labels: aggregateTo('edit') }),
    clusterRole(
      'system:aggregate-to-admin',
      [
        rule(['create'], [AUTHZ], ['localsubjectaccessreviews']),
        rule(READ_WRITE, ['rbac.authorization.k8s.io'], ['roles', 'rolebindings']),
      ],
      { labels: aggregateTo('admin') },
    ),
    clusterRole(
      'system:aggregate-to-edit',
      [
        rule(READ, [''], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
        rule(['impersonate'], [''], ['serviceaccounts']),
        rule(WRITE, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
        rule(['create'], [''], ['pods/eviction']),
        rule(
          WRITE,
          [''],
          [
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'serviceaccounts',
            'services',
            'services/proxy',
            'persistentvolumeclaims',
            'configmaps',
            'secrets',
          ],
        ),
        rule(['create'], [''], ['serviceaccounts/token']),
        rule(
          WRITE,
          ['apps'],
          [
            'statefulsets',
            'statefulsets/scale',
            'daemonsets',
            'deployments',
            'deployments/scale',
            'deployments/rollback',
            'replicasets',
            'replicasets/scale',
          ],
        ),
        rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
        rule(WRITE, ['batch'], ['jobs', 'cronjobs']),
        rule(
          WRITE,
          ['extensions'],
          [
            'daemonsets',
            'deployments',
            'deployments/scale',
            'deployments/rollback',
            'ingresses',
            'replicasets',
            'replicasets/scale',
            'replicationcontrollers/scale',
            'networkpolicies',
          ],
        ),
        rule(WRITE, ['policy'], ['poddisruptionbudgets']),
        rule(WRITE, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
        rule(WRITE, [COORD], ['leases']),
      ],
      { labels: aggregateTo('edit') },
    ),
    clusterRole(
      'system:aggregate-to-view',
      [
        rule(
          READ,
          [''],
          [
            'pods',
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'serviceaccounts',
            'services',
            'services/status',
            'endpoints',
            'persistentvolumeclaims',
            'persistentvolumeclaims/status',
            'configmaps',
          ],
        ),
        rule(
          READ,
          [''],
          [
            'limitranges',
            'resourcequotas',
            'bindings',
            'events',
            'pods/status',
            'resourcequotas/status',
            'namespaces/status',
            'replicationcontrollers/status',
            'pods/log',
          ],
        ),
        rule(READ, [''], ['namespaces']),
        rule(READ, ['discovery.k8s.io'], ['endpointslices']),
        rule(
          READ,
          ['apps'],
          [
            'controllerrevisions',
            'statefulsets',
            'statefulsets/status',
            'statefulsets/scale',
            'daemonsets',
            'daemonsets/status',
            'deployments',
            'deployments/status',
            'deployments/scale',
            'replicasets',
            'replicasets/status',
            'replicasets/scale',
          ],
        ),
        rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
        rule(READ, ['batch'], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
        rule(
          READ,
          ['extensions'],
          [
            'daemonsets',
            'daemonsets/status',
            'deployments',
            'deployments/scale',
            'deployments/status',
            'ingresses',
            'ingresses/status',
            'replicasets',
            'replicasets/scale',
            'replicasets/status',
            'replicationcontrollers/scale',
            'networkpolicies',
          ],
        ),
        rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
        rule(READ, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
        rule(READ, [COORD], ['leases']),
        rule(READ, ['metrics.k8s.io'], ['pods', 'nodes']),
      ],
      { labels: aggregateTo('view') },
    ),
  ];
}

/** The rules of `system:node` (upstream's NodeRules, for what Tandem serves). */
function nodeRules() {
  return [
    rule(['create'], [AUTHN], ['tokenreviews']),
    rule(['create'], [AUTHZ], ['subjectaccessreviews', 'localsubjectaccessreviews']),
    rule(READ, [''], ['services']),
    rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
    rule(['update', 'patch'], [''], ['nodes/status']),
    rule(['update', 'patch'], [''], ['nodes']),
    rule(['create', 'update', 'patch'], [''], ['events']),
    rule(READ, [''], ['pods']),
    rule(['create', 'delete'], [''], ['pods']),
    rule(['update', 'patch'], [''], ['pods/status']),
    rule(['create'], [''], ['pods/eviction']),
    rule(READ, [''], ['configmaps', 'secrets']),
    rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['get'], [''], ['endpoints']),
    rule(['create', 'get', 'list', 'watch'], [CERTS], ['certificatesigningrequests']),
    rule(['get', 'create', 'update', 'patch', 'delete'], [COORD], ['leases']),
    rule(['get'], [STORAGE], ['volumeattachments']),
    rule(['get', 'update', 'patch'], [''], ['persistentvolumeclaims/status']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(READ, [STORAGE], ['csidrivers']),
    rule(['get', 'create', 'update', 'patch', 'delete'], [STORAGE], ['csinodes']),
    rule(READ, ['node.k8s.io'], ['runtimeclasses']),
  ];
}

/** Leader election: `create` cannot be limited by name; the rest only on the component's own Leases. */
const leaseRules = (...names: string[]) => [
  rule(['create'], [COORD], ['leases']),
  rule(['get', 'update', 'patch'], [COORD], ['leases'], names),
];

function systemRoles(): ClusterRole[] {
  const signers = (name: string, signer: string) => clusterRole(name, [rule(['approve'], [CERTS], ['signers'], [signer])]);
  return [
    clusterRole('system:discovery', [
      urlRule(
        ['get'],
        ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'],
      ),
    ]),
    clusterRole('system:basic-user', [
      rule(['create'], [AUTHZ], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], [AUTHN], ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [urlRule(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
    clusterRole('system:service-account-issuer-discovery', [
      urlRule(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/']),
    ]),
    clusterRole('system:auth-delegator', [
      rule(['create'], [AUTHN], ['tokenreviews']),
      rule(['create'], [AUTHZ], ['subjectaccessreviews']),
    ]),
    clusterRole('system:node', nodeRules()),
    clusterRole('system:node-bootstrapper', [rule(['create', 'get', 'list', 'watch'], [CERTS], ['certificatesigningrequests'])]),
    clusterRole('system:node-proxier', [
      rule(['list', 'watch'], [''], ['services', 'endpoints']),
      rule(READ, [''], ['nodes']),
      eventsRule(),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    clusterRole('system:kube-dns', [rule(['list', 'watch'], [''], ['endpoints', 'services'])]),
    // Tandem's cluster DNS (in the server process): what kubeadm's CoreDNS role reads, and the
    // kube-dns Service's endpoints it publishes for itself (a Role in kube-system below)
    clusterRole('system:tandem:cluster-dns', [
      rule(['list', 'watch'], [''], ['endpoints', 'services', 'pods', 'namespaces']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    clusterRole('system:kubelet-api-admin', [
      rule(READ, [''], ['nodes']),
      rule(['proxy'], [''], ['nodes']),
      rule(['*'], [''], ['nodes/proxy', 'nodes/metrics', 'nodes/spec', 'nodes/stats', 'nodes/log']),
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
      rule(['create'], [CERTS], ['certificatesigningrequests/nodeclient']),
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
      rule(['create'], [CERTS], ['certificatesigningrequests/selfnodeclient']),
    ]),
    signers('system:certificates.k8s.io:kubelet-serving-approver', 'kubernetes.io/kubelet-serving'),
    signers('system:certificates.k8s.io:kube-apiserver-client-approver', 'kubernetes.io/kube-apiserver-client'),
    signers('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', 'kubernetes.io/kube-apiserver-client-kubelet'),
    clusterRole('system:monitoring', [
      urlRule(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*']),
    ]),
    clusterRole('system:kube-controller-manager', [
      eventsRule(),
      ...leaseRules('kube-controller-manager', CONTROL_PLANE_LEASE),
      rule(['create'], [''], ['secrets', 'serviceaccounts']),
      rule(['delete'], [''], ['secrets']),
      rule(['get'], [''], ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
      rule(['update'], [''], ['secrets', 'serviceaccounts']),
      rule(['create'], [AUTHN], ['tokenreviews']),
      rule(['create'], [AUTHZ], ['subjectaccessreviews']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], [''], ['serviceaccounts/token']),
    ]),
    clusterRole('system:kube-scheduler', [
      eventsRule(),
      ...leaseRules('kube-scheduler', CONTROL_PLANE_LEASE),
      rule(READ, [''], ['nodes']),
      rule(['get', 'list', 'watch', 'delete'], [''], ['pods']),
      rule(['create'], [''], ['pods/binding', 'bindings']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(READ, [''], ['services', 'replicationcontrollers']),
      rule(READ, ['apps', 'extensions'], ['replicasets']),
      rule(READ, ['apps'], ['statefulsets']),
      rule(READ, ['policy'], ['poddisruptionbudgets']),
      rule(READ, [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], [AUTHN], ['tokenreviews']),
      rule(['create'], [AUTHZ], ['subjectaccessreviews']),
      rule(READ, [STORAGE], ['csinodes', 'csidrivers', 'csistoragecapacities']),
      rule(READ, [''], ['namespaces']),
      // Tandem: the isolation autopilot reads image platforms with the pods' pull secrets, and the
      // RuntimeClasses pods name
      rule(['get'], [''], ['secrets']),
      rule(READ, ['node.k8s.io'], ['runtimeclasses']),
      // upstream's system:volume-scheduler, bound to the scheduler: WaitForFirstConsumer claims get their node
      rule(['patch', 'update'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(READ, [STORAGE], ['storageclasses']),
    ]),
  ];
}

export function bootstrapClusterRoles(): ClusterRole[] {
  return [...userFacingRoles(), ...systemRoles(), ...controllerRoles()];
}

export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterBinding('cluster-admin', [group('system:masters')]),
    clusterBinding('system:discovery', [group('system:authenticated')]),
    clusterBinding('system:basic-user', [group('system:authenticated')]),
    clusterBinding('system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    clusterBinding('system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
    clusterBinding('system:monitoring', [group('system:monitoring')]),
    clusterBinding('system:node-proxier', [user('system:kube-proxy')]),
    clusterBinding('system:kube-controller-manager', [user('system:kube-controller-manager')]),
    clusterBinding('system:kube-dns', [{ kind: 'ServiceAccount', namespace: 'kube-system', name: 'kube-dns' }]),
    clusterBinding('system:tandem:cluster-dns', [serviceAccount('kube-system', 'cluster-dns')]),
    clusterBinding('system:kube-scheduler', [user('system:kube-scheduler')]),
    // the API server's client certificate towards node agents
    clusterBinding('system:kubelet-api-admin', [user('kube-apiserver-kubelet-client')]),
    // kept without subjects, as upstream: nodes are judged by the Node authorizer
    clusterBinding('system:node', []),
    // what kubeadm binds for node join, which `tandem join` follows: bootstrap tokens may ask for a
    // node client certificate (auto-approved), nodes may renew their own
    clusterBinding('system:node-bootstrapper', [group(BOOTSTRAP_GROUP)], 'kubeadm:kubelet-bootstrap'),
    clusterBinding(
      'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
      [group(BOOTSTRAP_GROUP)],
      'kubeadm:node-autoapprove-bootstrap',
    ),
    clusterBinding(
      'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
      [group('system:nodes')],
      'kubeadm:node-autoapprove-certificate-rotation',
    ),
    ...controllerBindings(),
  ];
}

/** Namespaced defaults: leader locking in kube-system (upstream's, for the Leases components use). */
export function bootstrapRoles(): Role[] {
  const locking = (component: string) =>
    role('kube-system', `system::leader-locking-${component}`, [
      rule(['watch'], [COORD], ['leases']),
      rule(['get', 'update'], [COORD], ['leases'], [component, CONTROL_PLANE_LEASE]),
    ]);
  return [
    locking('kube-controller-manager'),
    locking('kube-scheduler'),
    // upstream's: the bootstrap token cleaner deletes expired token Secrets in kube-system
    role('kube-system', 'system:controller:token-cleaner', [rule(['delete', 'get', 'list', 'watch'], [''], ['secrets']), eventsRule()]),
    role('kube-system', 'system:tandem:cluster-dns-endpoints', [
      // create carries no name for RBAC to match (as upstream): allowed on any, the rest only on kube-dns
      rule(['create'], [''], ['endpoints']),
      rule(['get', 'update', 'patch'], [''], ['endpoints'], ['kube-dns']),
      rule(['get', 'create', 'update', 'patch'], ['discovery.k8s.io'], ['endpointslices']),
      rule(READ, [''], ['services']),
      // the kube-dns Service's targetPorts follow the port the server listens on
      rule(['update', 'patch'], [''], ['services'], ['kube-dns']),
    ]),
  ];
}

export function bootstrapRoleBindings(): RoleBinding[] {
  return [
    roleBinding('kube-system', 'system::leader-locking-kube-controller-manager', [
      user('system:kube-controller-manager'),
      { kind: 'ServiceAccount', namespace: 'kube-system', name: 'kube-controller-manager' },
    ]),
    roleBinding('kube-system', 'system::leader-locking-kube-scheduler', [
      user('system:kube-scheduler'),
      { kind: 'ServiceAccount', namespace: 'kube-system', name: 'kube-scheduler' },
    ]),
    roleBinding('kube-system', 'system:tandem:cluster-dns-endpoints', [serviceAccount('kube-system', 'cluster-dns')]),
    roleBinding('kube-system', 'system:controller:token-cleaner', [serviceAccount('kube-system', 'token-cleaner')]),
  ];
}
