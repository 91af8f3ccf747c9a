// Tandem's storage keys (/registry/<group or core>/<plural>/...) as upstream Kubernetes lays them out
// in etcd, so that etcdctl and etcd tooling written for Kubernetes find objects where they expect
// them: core and legacy built-in groups' resources directly under /registry/<resource>/ (with
// upstream's historical names: services/specs, services/endpoints, minions, controllers, ingress);
// events.k8s.io, apiextensions.k8s.io, apiregistration.k8s.io, custom resources and keys outside
// /registry/ stay as they are. The table is static and bijective: no two Tandem prefixes share an
// etcd prefix, and no etcd prefix of the table is an identity-mapped Tandem key (Tandem's second
// segment is a group — "core", a legacy group name, or a dotted name — never a resource plural).

/** Tandem resource prefix → etcd prefix (both ending in "/"). */
const TABLE: ReadonlyArray<readonly [string, string]> = [
  // core
  ['/registry/core/configmaps/', '/registry/configmaps/'],
  ['/registry/core/endpoints/', '/registry/services/endpoints/'],
  ['/registry/core/events/', '/registry/events/'],
  ['/registry/core/limitranges/', '/registry/limitranges/'],
  ['/registry/core/namespaces/', '/registry/namespaces/'],
  ['/registry/core/nodes/', '/registry/minions/'],
  ['/registry/core/persistentvolumeclaims/', '/registry/persistentvolumeclaims/'],
  ['/registry/core/persistentvolumes/', '/registry/persistentvolumes/'],
  ['/registry/core/pods/', '/registry/pods/'],
  ['/registry/core/podtemplates/', '/registry/podtemplates/'],
  ['/registry/core/replicationcontrollers/', '/registry/controllers/'],
  ['/registry/core/resourcequotas/', '/registry/resourcequotas/'],
  ['/registry/core/secrets/', '/registry/secrets/'],
  ['/registry/core/serviceaccounts/', '/registry/serviceaccounts/'],
  ['/registry/core/services/', '/registry/services/specs/'],
  // apps
  ['/registry/apps/controllerrevisions/', '/registry/controllerrevisions/'],
  ['/registry/apps/daemonsets/', '/registry/daemonsets/'],
  ['/registry/apps/deployments/', '/registry/deployments/'],
  ['/registry/apps/replicasets/', '/registry/replicasets/'],
  ['/registry/apps/statefulsets/', '/registry/statefulsets/'],
  // other built-in groups
  ['/registry/autoscaling/horizontalpodautoscalers/', '/registry/horizontalpodautoscalers/'],
  ['/registry/batch/cronjobs/', '/registry/cronjobs/'],
  ['/registry/batch/jobs/', '/registry/jobs/'],
  ['/registry/certificates.k8s.io/certificatesigningrequests/', '/registry/certificatesigningrequests/'],
  ['/registry/coordination.k8s.io/leases/', '/registry/leases/'],
  ['/registry/discovery.k8s.io/endpointslices/', '/registry/endpointslices/'],
  ['/registry/networking.k8s.io/ingressclasses/', '/registry/ingressclasses/'],
  ['/registry/networking.k8s.io/ingresses/', '/registry/ingress/'],
  ['/registry/networking.k8s.io/networkpolicies/', '/registry/networkpolicies/'],
  ['/registry/node.k8s.io/runtimeclasses/', '/registry/runtimeclasses/'],
  ['/registry/policy/poddisruptionbudgets/', '/registry/poddisruptionbudgets/'],
  ['/registry/rbac.authorization.k8s.io/clusterrolebindings/', '/registry/clusterrolebindings/'],
  ['/registry/rbac.authorization.k8s.io/clusterroles/', '/registry/clusterroles/'],
  ['/registry/rbac.authorization.k8s.io/rolebindings/', '/registry/rolebindings/'],
  ['/registry/rbac.authorization.k8s.io/roles/', '/registry/roles/'],
  ['/registry/scheduling.k8s.io/priorityclasses/', '/registry/priorityclasses/'],
  ['/registry/storage.k8s.io/csidrivers/', '/registry/csidrivers/'],
  ['/registry/storage.k8s.io/csinodes/', '/registry/csinodes/'],
  ['/registry/storage.k8s.io/storageclasses/', '/registry/storageclasses/'],
  ['/registry/storage.k8s.io/volumeattachments/', '/registry/volumeattachments/'],
];

/** The table, for tests and documentation. */
export const UPSTREAM_KEY_TABLE: ReadonlyArray<readonly [string, string]> = TABLE;

/** A Tandem key that would land where another key's upstream image lives (so it has no image of its own). */
export class UnmappableKeyError extends Error {
  constructor(readonly key: string) {
    super(`key ${key} collides with the upstream etcd layout (its path is where another resource is stored) and cannot be stored`);
    this.name = 'UnmappableKeyError';
  }
}

/** Maps keys both ways; the plan of ranges for a prefix is in etcd-keyspace.ts. */
export interface KeyLayout {
  /** Tandem key (or key prefix) → etcd key (without the backend's own prefix). */
  toEtcd(key: string): string;
  /** etcd key → Tandem key. */
  fromEtcd(key: string): string;
  /** The Tandem → etcd resource prefixes; [] for the identity layout. */
  readonly table: ReadonlyArray<readonly [string, string]>;
}

export const IDENTITY_LAYOUT: KeyLayout = { toEtcd: (k) => k, fromEtcd: (k) => k, table: [] };

function find(key: string, side: 0 | 1): readonly [string, string] | undefined {
  if (!key.startsWith('/registry/')) return undefined;
  for (const row of TABLE) if (key.startsWith(row[side])) return row;
  return undefined;
}

export const UPSTREAM_LAYOUT: KeyLayout = {
  table: TABLE,
  toEtcd(key) {
    const row = find(key, 0);
    if (row) return row[1] + key.slice(row[0].length);
    // a key already in the etcd-side namespace of a table row would be read back as that row's resource
    if (find(key, 1)) throw new UnmappableKeyError(key);
    return key;
  },
  fromEtcd(key) {
    const row = find(key, 1);
    return row ? row[0] + key.slice(row[1].length) : key;
  },
};
