// One `system:controller:<name>` ClusterRole and binding per controller Tandem runs, for the
// ServiceAccount kube-system/<name> it acts as (upstream's controller_policy.go names and rules,
// widened where Tandem's controller does more: status through patch as well as update, adoption
// through patch, Lease reads for node health). Each also lists and watches what it informs on, so
// that it works whether its informers run as itself or as system:kube-controller-manager.

import type { ClusterRole, ClusterRoleBinding, PolicyRule } from '../../../api/gen/types.js';
import { clusterBinding, clusterRole, eventsRule, READ, rule, serviceAccount } from './policy-builders.js';

const PREFIX = 'system:controller:';

const CONTROLLERS: ReadonlyArray<[string, PolicyRule[]]> = [
  [
    'clusterrole-aggregation-controller',
    [rule(['escalate', 'get', 'list', 'watch', 'update', 'patch'], ['rbac.authorization.k8s.io'], ['clusterroles'])],
  ],
  [
    'daemon-set-controller',
    [
      rule(['get', 'list', 'watch'], ['apps', 'extensions'], ['daemonsets']),
      rule(['update', 'patch'], ['apps', 'extensions'], ['daemonsets/status']),
      rule(['update'], ['apps', 'extensions'], ['daemonsets/finalizers']),
      rule(READ, [''], ['nodes']),
      rule(['get', 'list', 'watch', 'create', 'delete', 'patch'], [''], ['pods']),
      rule(['create'], [''], ['pods/binding']),
      rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], ['apps'], ['controllerrevisions']),
      eventsRule(),
    ],
  ],
  [
    'deployment-controller',
    [
      rule(['get', 'list', 'watch', 'update', 'patch'], ['apps', 'extensions'], ['deployments']),
      rule(['update', 'patch'], ['apps', 'extensions'], ['deployments/status']),
      rule(['update'], ['apps', 'extensions'], ['deployments/finalizers']),
      rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], ['apps', 'extensions'], ['replicasets']),
      rule(['get', 'list', 'watch', 'update', 'patch'], [''], ['pods']),
      eventsRule(),
    ],
  ],
  [
    'endpoint-controller',
    [
      rule(READ, [''], ['services', 'pods']),
      rule(['get', 'list', 'watch', 'create', 'update', 'delete'], [''], ['endpoints']),
      rule(['create'], [''], ['endpoints/restricted']),
      // Tandem: one controller keeps both Endpoints and EndpointSlices (upstream has two)
      rule(READ, [''], ['nodes']),
      rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], ['discovery.k8s.io'], ['endpointslices']),
      eventsRule(),
    ],
  ],
  [
    'endpointslice-controller',
    [
      rule(READ, [''], ['services', 'pods', 'nodes']),
      rule(['update'], [''], ['services/finalizers']),
      rule(['get', 'list', 'watch', 'create', 'update', 'delete'], ['discovery.k8s.io'], ['endpointslices']),
      eventsRule(),
    ],
  ],
  ['generic-garbage-collector', [rule(['get', 'list', 'watch', 'patch', 'update', 'delete'], ['*'], ['*'])]],
  [
    'job-controller',
    [
      rule(['get', 'list', 'watch', 'update', 'patch'], ['batch'], ['jobs']),
      rule(['update', 'patch'], ['batch'], ['jobs/status']),
      rule(['update'], ['batch'], ['jobs/finalizers']),
      rule(['get', 'list', 'watch', 'create', 'delete', 'patch'], [''], ['pods']),
      eventsRule(),
    ],
  ],
  [
    'namespace-controller',
    [
      rule(['get', 'list', 'watch', 'delete'], [''], ['namespaces']),
      rule(['update'], [''], ['namespaces/finalize', 'namespaces/status']),
      rule(['get', 'list', 'delete', 'deletecollection'], ['*'], ['*']),
    ],
  ],
  [
    'node-controller',
    [
      rule(['get', 'list', 'watch', 'update', 'delete', 'patch'], [''], ['nodes']),
      rule(['patch', 'update'], [''], ['nodes/status']),
      rule(['get', 'list', 'watch', 'delete'], [''], ['pods']),
      rule(['update', 'patch'], [''], ['pods/status']),
      rule(READ, ['coordination.k8s.io'], ['leases']),
      eventsRule(),
    ],
  ],
  [
    'pod-garbage-collector',
    [
      rule(['get', 'list', 'watch', 'delete'], [''], ['pods']),
      rule(READ, [''], ['nodes']),
      rule(['patch', 'update'], [''], ['pods/status']),
      eventsRule(),
    ],
  ],
  [
    'replicaset-controller',
    [
      rule(['get', 'list', 'watch', 'update', 'patch'], ['apps', 'extensions'], ['replicasets']),
      rule(['update', 'patch'], ['apps', 'extensions'], ['replicasets/status']),
      rule(['update'], ['apps', 'extensions'], ['replicasets/finalizers']),
      rule(['get', 'list', 'watch', 'patch', 'create', 'delete'], [''], ['pods']),
      eventsRule(),
    ],
  ],
  [
    'replication-controller',
    [
      rule(['get', 'list', 'watch', 'update', 'patch'], [''], ['replicationcontrollers']),
      rule(['update', 'patch'], [''], ['replicationcontrollers/status']),
      rule(['update'], [''], ['replicationcontrollers/finalizers']),
      rule(['get', 'list', 'watch', 'patch', 'create', 'delete'], [''], ['pods']),
      eventsRule(),
    ],
  ],
  [
    'resourcequota-controller',
    [rule(['list', 'watch'], ['*'], ['*']), rule(['update', 'patch'], [''], ['resourcequotas/status']), eventsRule()],
  ],
  [
    'root-ca-cert-publisher',
    [rule(READ, [''], ['namespaces']), rule(['get', 'list', 'watch', 'create', 'update'], [''], ['configmaps']), eventsRule()],
  ],
  [
    'service-account-controller',
    [rule(READ, [''], ['namespaces', 'serviceaccounts']), rule(['create'], [''], ['serviceaccounts']), eventsRule()],
  ],
  [
    'certificate-controller',
    [
      rule(['get', 'list', 'watch', 'delete'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      rule(['update', 'patch'], ['certificates.k8s.io'], ['certificatesigningrequests/status', 'certificatesigningrequests/approval']),
      rule(
        ['approve'],
        ['certificates.k8s.io'],
        ['signers'],
        ['kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving'],
      ),
      rule(
        ['sign'],
        ['certificates.k8s.io'],
        ['signers'],
        [
          'kubernetes.io/kube-apiserver-client',
          'kubernetes.io/kube-apiserver-client-kubelet',
          'kubernetes.io/kubelet-serving',
          'kubernetes.io/legacy-unknown',
        ],
      ),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      eventsRule(),
    ],
  ],
  [
    'persistent-volume-binder',
    [
      rule(['get', 'list', 'watch', 'update', 'patch', 'create', 'delete'], [''], ['persistentvolumes']),
      rule(['update', 'patch'], [''], ['persistentvolumes/status']),
      rule(['get', 'list', 'watch', 'update', 'patch'], [''], ['persistentvolumeclaims']),
      rule(['update', 'patch'], [''], ['persistentvolumeclaims/status']),
      rule(['get', 'list', 'watch'], [''], ['pods', 'nodes']),
      rule(['get', 'list', 'watch'], ['storage.k8s.io'], ['storageclasses']),
      eventsRule(),
    ],
  ],
  [
    'ephemeral-volume-controller',
    [
      rule(['get', 'list', 'watch'], [''], ['pods']),
      rule(['update'], [''], ['pods/finalizers']),
      rule(['get', 'list', 'watch', 'create'], [''], ['persistentvolumeclaims']),
      eventsRule(),
    ],
  ],
  // Tandem's built-in provisioner (not upstream's): makes and deletes local-path volumes
  [
    'local-path-provisioner',
    [
      rule(['get', 'list', 'watch', 'create', 'delete', 'patch'], [''], ['persistentvolumes']),
      rule(['get', 'list', 'watch'], [''], ['persistentvolumeclaims', 'nodes']),
      rule(['get', 'list', 'watch'], ['storage.k8s.io'], ['storageclasses']),
      eventsRule(),
    ],
  ],
  [
    'statefulset-controller',
    [
      rule(['list', 'watch'], [''], ['pods']),
      rule(['get', 'list', 'watch'], ['apps'], ['statefulsets']),
      rule(['update', 'patch'], ['apps'], ['statefulsets/status']),
      rule(['update'], ['apps'], ['statefulsets/finalizers']),
      rule(['get', 'create', 'delete', 'update', 'patch'], [''], ['pods']),
      rule(['get', 'create', 'delete', 'update', 'patch', 'list', 'watch'], ['apps'], ['controllerrevisions']),
      // Tandem: patch as well, for the owner references of the retention policy
      rule(['get', 'create', 'update', 'patch'], [''], ['persistentvolumeclaims']),
      eventsRule(),
    ],
  ],
  [
    'cronjob-controller',
    [
      rule(['get', 'list', 'watch', 'update'], ['batch'], ['cronjobs']),
      rule(['get', 'list', 'watch', 'create', 'update', 'delete', 'patch'], ['batch'], ['jobs']),
      rule(['update', 'patch'], ['batch'], ['cronjobs/status']),
      rule(['update'], ['batch'], ['cronjobs/finalizers']),
      rule(['list', 'delete'], [''], ['pods']),
      eventsRule(),
    ],
  ],
  [
    'horizontal-pod-autoscaler',
    [
      rule(READ, ['autoscaling'], ['horizontalpodautoscalers']),
      rule(['update', 'patch'], ['autoscaling'], ['horizontalpodautoscalers/status']),
      rule(['get', 'update'], ['*'], ['*/scale']),
      rule(['list', 'watch'], [''], ['pods']),
      rule(['list'], ['metrics.k8s.io'], ['pods']),
      rule(['get', 'list'], ['custom.metrics.k8s.io'], ['*']),
      rule(['get', 'list'], ['external.metrics.k8s.io'], ['*']),
      eventsRule(),
    ],
  ],
  [
    'disruption-controller',
    [
      rule(READ, ['apps', 'extensions'], ['deployments', 'replicasets']),
      rule(READ, [''], ['replicationcontrollers', 'pods']),
      rule(READ, ['policy'], ['poddisruptionbudgets']),
      rule(READ, ['apps'], ['statefulsets']),
      rule(['update'], ['policy'], ['poddisruptionbudgets/status']),
      rule(['get'], ['*'], ['*/scale']),
      rule(['patch', 'update'], [''], ['pods/status']),
      eventsRule(),
    ],
  ],
];

export const controllerRoles = (): ClusterRole[] => CONTROLLERS.map(([n, rules]) => clusterRole(`${PREFIX}${n}`, rules));

export const controllerBindings = (): ClusterRoleBinding[] =>
  CONTROLLERS.map(([n]) => clusterBinding(`${PREFIX}${n}`, [serviceAccount('kube-system', n)]));
