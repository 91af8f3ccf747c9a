// Well-known labels, taints and annotations: one definition each, read by the API server, the
// scheduler, the controllers, the agent and the simulator (upstream: k8s.io/api/core/v1
// well_known_labels.go and well_known_taints.go).

// ---- node labels ----
export const LABEL_OS = 'kubernetes.io/os';
export const LABEL_ARCH = 'kubernetes.io/arch';
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_OS_BETA = 'beta.kubernetes.io/os';
export const LABEL_ARCH_BETA = 'beta.kubernetes.io/arch';
/** major.minor.build of a Windows host, e.g. `10.0.20348` */
export const LABEL_WINDOWS_BUILD = 'node.kubernetes.io/windows-build';
export const LABEL_INSTANCE_TYPE = 'node.kubernetes.io/instance-type';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
export const LABEL_REGION = 'topology.kubernetes.io/region';
export const LABEL_NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
export const LABEL_ROLE_LEGACY = 'kubernetes.io/role';

// ---- node taints (the node lifecycle controller and the agent set them) ----
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
/** Set by an administrator on a node that is shut down for good: its terminating pods are force-deleted (pod GC). */
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

// ---- node annotations ----
export const ANNOTATION_NODE_TTL = 'node.alpha.kubernetes.io/ttl';

// ---- pod annotations ----
/** The per-pod isolation hint of the first Windows release: `hyperv` asks for Hyper-V isolation. */
export const ANNOTATION_WINDOWS_ISOLATION = 'experimental.windows.kubernetes.io/isolation-type';
export const ANNOTATION_LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

// ---- workload labels and annotations ----
export const LABEL_POD_TEMPLATE_HASH = 'pod-template-hash';
export const LABEL_CONTROLLER_REVISION_HASH = 'controller-revision-hash';
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_JOB_CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
export const LABEL_JOB_NAME = 'batch.kubernetes.io/job-name';
export const LABEL_JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const ANNOTATION_JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const FINALIZER_JOB_TRACKING = 'batch.kubernetes.io/job-tracking';
export const ANNOTATION_DEPLOYMENT_REVISION = 'deployment.kubernetes.io/revision';
export const ANNOTATION_DEPLOYMENT_REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const ANNOTATION_DEPLOYMENT_DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const ANNOTATION_DEPLOYMENT_MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
/** The DaemonSet generation a daemon pod was made from (deprecated upstream, still set). */
export const LABEL_DAEMONSET_TEMPLATE_GENERATION = 'pod-template-generation';
/** Which pods a ReplicaSet removes first when scaling down (an integer, lower goes first). */
export const ANNOTATION_POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
/** Set on the Endpoints and EndpointSlices of a Service with clusterIP None. */
export const LABEL_HEADLESS_SERVICE = 'service.kubernetes.io/headless';
/** The controller that manages an EndpointSlice. */
export const LABEL_ENDPOINTSLICE_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';

// ---- finalizers ----
/** Deletion propagation Foreground: the owner waits until its dependents are gone. */
export const FINALIZER_FOREGROUND_DELETION = 'foregroundDeletion';
/** Deletion propagation Orphan: the owner's dependents lose their reference to it. */
export const FINALIZER_ORPHAN_DEPENDENTS = 'orphan';
/** A Namespace's spec.finalizers entry: the namespace controller clears its content. */
export const FINALIZER_NAMESPACE_KUBERNETES = 'kubernetes';

// ---- RuntimeClass handlers of containerd on Windows ----
export const HANDLER_WINDOWS_PROCESS = 'runhcs-wcow-process';
export const HANDLER_WINDOWS_HYPERV = 'runhcs-wcow-hypervisor';
/** Tandem's native process runtime (the HostProcess model: no container, no image isolation). */
export const HANDLER_PROCESS = 'process';

// ---- Tandem's own ----
/** Set to "true" on simulated nodes (`tandem sim`): no host behind them, nothing to route to. */
export const LABEL_SIMULATED = 'tandem.io/simulated';
/**
 * The isolation the scheduler chose for a Windows pod (`process` or `hyperv`): set through the
 * Binding (whose annotations the API server copies onto the pod, as upstream does), read by the
 * agent to pick the sandbox's handler and the image manifest. Set by hand at create, it pins.
 */
export const ANNOTATION_ISOLATION = 'tandem.dev/isolation';
/**
 * On a Binding only: the plain-words reason for its tandem.dev/isolation. The API server turns it
 * into the pod's tandem.dev/Isolation condition in the binding's own write (one write per pod, not
 * two) and does not keep it as an annotation.
 */
export const ANNOTATION_ISOLATION_REASON = 'tandem.dev/isolation-reason';
/** The pod condition that says which isolation a Windows pod got and why, in plain words. */
export const CONDITION_ISOLATION = 'tandem.dev/Isolation';
export const REASON_PROCESS_ISOLATION = 'ProcessIsolation';
export const REASON_HYPERV_ISOLATION = 'HyperVIsolation';
