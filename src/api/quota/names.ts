// Resource names as quota and limit ranges know them (upstream's standard resource, quota resource
// and integer resource sets), and the object-count names (`count/pods`, `count/deployments.apps`).

const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];
const REQUESTS = ['requests.cpu', 'requests.memory', 'requests.ephemeral-storage'];
const LIMITS = ['limits.cpu', 'limits.memory', 'limits.ephemeral-storage'];
const COUNTED = [
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
];

/** Names a quota may constrain without a `/`. */
const STANDARD_QUOTA = new Set([...COMPUTE, ...REQUESTS, ...LIMITS, 'requests.storage', ...COUNTED]);
/** Names any resource list may use without a `/` (quota's, plus `storage`). */
const STANDARD = new Set([...STANDARD_QUOTA, 'storage']);
/** Counted in whole units. */
const INTEGER = new Set(COUNTED);
/** What a container's requests and limits may name without a `/`. */
const STANDARD_CONTAINER = new Set([...COMPUTE]);

const isHugePages = (n: string) => n.startsWith('hugepages-');

export const isStandardResourceName = (n: string): boolean => STANDARD.has(n) || isHugePages(n) || n.startsWith('requests.hugepages-');
export const isStandardQuotaResourceName = (n: string): boolean =>
  STANDARD_QUOTA.has(n) || isHugePages(n) || n.startsWith('requests.hugepages-');
export const isStandardContainerResourceName = (n: string): boolean => STANDARD_CONTAINER.has(n) || isHugePages(n);
/** Native resources have no domain or a kubernetes.io one. */
export const isNativeResource = (n: string): boolean => !n.includes('/') || n.includes('kubernetes.io/');
/** Extended resources (`example.com/gpu`; upstream counts `count/…` among them) are whole units too. */
export const isIntegerResourceName = (n: string): boolean => INTEGER.has(n) || (!isNativeResource(n) && !n.startsWith('requests.'));

/** The object-count name of a resource: `count/pods`, `count/deployments.apps`. */
export const objectCountName = (group: string, plural: string): string => (group ? `count/${plural}.${group}` : `count/${plural}`);

/** Quota scopes upstream knows. */
export const QUOTA_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];

const POD_COUNT = new Set(['pods']);
const POD_COMPUTE = new Set(['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);

/** Whether a scope may be applied to a quota constraining `name` (BestEffort pods only count). */
export function scopeValidForResource(scope: string, name: string): boolean {
  if (scope === 'BestEffort') return POD_COUNT.has(name);
  if (QUOTA_SCOPES.includes(scope)) return POD_COUNT.has(name) || POD_COMPUTE.has(name);
  return false;
}
