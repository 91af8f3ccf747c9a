// Names of the storage facts that the API server, the PV controller, the provisioner, the scheduler,
// the agent and the simulator all read: upstream's annotation keys, finalizers and modes, and
// Tandem's built-in local-path provisioner.

/** Set on a claim by the binder once the bind is complete (upstream's pv.kubernetes.io/bind-completed). */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** Set on a claim or a volume whose binding the controller (not a user) made. */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** The provisioner that is to provision a claim (set by the binder on a claim of a dynamic class). */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
/** The older spelling that external provisioners still read. */
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** Set on a WaitForFirstConsumer claim by the scheduler: the node of the first pod that uses it. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** The provisioner that made a volume (upstream's pv.kubernetes.io/provisioned-by). */
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** The default StorageClass marker (and its beta spelling). */
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';
/** The beta annotation naming a claim's or a volume's class, still honoured upstream. */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

export const FINALIZER_PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const FINALIZER_PV_PROTECTION = 'kubernetes.io/pv-protection';

/** Tandem's built-in provisioner: hostPath directories under each node's volume root. */
export const LOCAL_PATH_PROVISIONER = 'tandem.dev/local-path';
export const LOCAL_PATH_CLASS = 'local-path';
/** On a Node: the directory under which the local-path provisioner makes that node's volumes. */
export const ANN_LOCAL_PATH_ROOT = 'tandem.dev/local-path-root';
/**
 * On a local-path volume: the node agent still has to remove the volume's directory before the
 * object may go (the agent removes it; for a Retain volume it only drops the finalizer).
 */
export const FINALIZER_LOCAL_PATH_CLEANUP = 'tandem.dev/local-path-cleanup';

export const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] as const;
export const VOLUME_MODES = ['Block', 'Filesystem'] as const;
