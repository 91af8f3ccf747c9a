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
export const FINALIZER_JOB_TRACKING = 'batch.kubernetes.io/job-tracking';
export const ANNOTATION_DEPLOYMENT_REVISION = 'deployment.kubernetes.io/revision';
export const ANNOTATION_DEPLOYMENT_REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const ANNOTATION_DEPLOYMENT_DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const ANNOTATION_DEPLOYMENT_MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';

// ---- RuntimeClass handlers of containerd on Windows ----
export const HANDLER_WINDOWS_PROCESS = 'runhcs-wcow-process';
export const HANDLER_WINDOWS_HYPERV = 'runhcs-wcow-hypervisor';
