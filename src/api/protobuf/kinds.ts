// apiVersion + kind → the OpenAPI definition name of the protobuf message that carries it.
// Only kinds whose messages are in src/api/gen/proto-tags.ts are listed.

const byGroupVersion: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  v1: {
    Namespace: 'io.k8s.api.core.v1.Namespace',
    ConfigMap: 'io.k8s.api.core.v1.ConfigMap',
    Secret: 'io.k8s.api.core.v1.Secret',
    Service: 'io.k8s.api.core.v1.Service',
    ServiceAccount: 'io.k8s.api.core.v1.ServiceAccount',
    Pod: 'io.k8s.api.core.v1.Pod',
    Node: 'io.k8s.api.core.v1.Node',
    Endpoints: 'io.k8s.api.core.v1.Endpoints',
    Event: 'io.k8s.api.core.v1.Event',
    Binding: 'io.k8s.api.core.v1.Binding',
    PodTemplate: 'io.k8s.api.core.v1.PodTemplate',
    ReplicationController: 'io.k8s.api.core.v1.ReplicationController',
    ResourceQuota: 'io.k8s.api.core.v1.ResourceQuota',
    LimitRange: 'io.k8s.api.core.v1.LimitRange',
    PersistentVolume: 'io.k8s.api.core.v1.PersistentVolume',
    PersistentVolumeClaim: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  },
  'apps/v1': {
    Deployment: 'io.k8s.api.apps.v1.Deployment',
    ReplicaSet: 'io.k8s.api.apps.v1.ReplicaSet',
    DaemonSet: 'io.k8s.api.apps.v1.DaemonSet',
    StatefulSet: 'io.k8s.api.apps.v1.StatefulSet',
    ControllerRevision: 'io.k8s.api.apps.v1.ControllerRevision',
  },
  'batch/v1': { Job: 'io.k8s.api.batch.v1.Job', CronJob: 'io.k8s.api.batch.v1.CronJob' },
  'coordination.k8s.io/v1': { Lease: 'io.k8s.api.coordination.v1.Lease' },
  'node.k8s.io/v1': { RuntimeClass: 'io.k8s.api.node.v1.RuntimeClass' },
  'discovery.k8s.io/v1': { EndpointSlice: 'io.k8s.api.discovery.v1.EndpointSlice' },
  'events.k8s.io/v1': { Event: 'io.k8s.api.events.v1.Event' },
  'policy/v1': { Eviction: 'io.k8s.api.policy.v1.Eviction', PodDisruptionBudget: 'io.k8s.api.policy.v1.PodDisruptionBudget' },
  'storage.k8s.io/v1': { StorageClass: 'io.k8s.api.storage.v1.StorageClass' },
  'scheduling.k8s.io/v1': { PriorityClass: 'io.k8s.api.scheduling.v1.PriorityClass' },
  'autoscaling/v1': {
    Scale: 'io.k8s.api.autoscaling.v1.Scale',
    HorizontalPodAutoscaler: 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
  },
  'rbac.authorization.k8s.io/v1': {
    Role: 'io.k8s.api.rbac.v1.Role',
    ClusterRole: 'io.k8s.api.rbac.v1.ClusterRole',
    RoleBinding: 'io.k8s.api.rbac.v1.RoleBinding',
    ClusterRoleBinding: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
  },
  'authorization.k8s.io/v1': {
    SubjectAccessReview: 'io.k8s.api.authorization.v1.SubjectAccessReview',
    SelfSubjectAccessReview: 'io.k8s.api.authorization.v1.SelfSubjectAccessReview',
    LocalSubjectAccessReview: 'io.k8s.api.authorization.v1.LocalSubjectAccessReview',
    SelfSubjectRulesReview: 'io.k8s.api.authorization.v1.SelfSubjectRulesReview',
  },
  'authentication.k8s.io/v1': {
    TokenRequest: 'io.k8s.api.authentication.v1.TokenRequest',
    TokenReview: 'io.k8s.api.authentication.v1.TokenReview',
    SelfSubjectReview: 'io.k8s.api.authentication.v1.SelfSubjectReview',
  },
  'certificates.k8s.io/v1': { CertificateSigningRequest: 'io.k8s.api.certificates.v1.CertificateSigningRequest' },
  'autoscaling/v2': { HorizontalPodAutoscaler: 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler' },
  'networking.k8s.io/v1': {
    Ingress: 'io.k8s.api.networking.v1.Ingress',
    IngressClass: 'io.k8s.api.networking.v1.IngressClass',
    NetworkPolicy: 'io.k8s.api.networking.v1.NetworkPolicy',
  },
  'apiregistration.k8s.io/v1': { APIService: 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService' },
};

/** DeleteOptions is registered in every group version; its message is the same everywhere. */
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';

/** The definition name for a decoded TypeMeta, or undefined when the kind has no protobuf schema here. */
export function protobufDefinitionFor(apiVersion: string, kind: string): string | undefined {
  if (kind === 'DeleteOptions') return DELETE_OPTIONS;
  const kinds = Object.hasOwn(byGroupVersion, apiVersion) ? byGroupVersion[apiVersion] : undefined;
  return kinds && Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
}
