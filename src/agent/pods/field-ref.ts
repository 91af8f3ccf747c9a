// Values of the downward API: fieldRef paths of the pod and resourceFieldRef figures of a container
// (limits fall back to the node's allocatable, as upstream does).

import type { Container, Pod, ResourceFieldSelector } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { toInteger, toMilli } from '../../base/quantity.js';

export interface PodRuntimeFacts {
  podIP?: string;
  podIPs?: string[];
  hostIP?: string;
  hostIPs?: string[];
}

const fieldError = (msg: string) => new StatusError(422, 'Invalid', msg);

/** `key="value"` lines, sorted by key, with quotes and backslashes escaped (the downward API file format). */
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m?.[k] ?? '')}`)
    .join('\n');
}

export function podFieldValue(pod: Pod, fieldPath: string, facts: PodRuntimeFacts): string {
  const md = pod.metadata;
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (sub) {
    const map = sub[1] === 'labels' ? md.labels : md.annotations;
    return map?.[sub[2] ?? ''] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return md.name ?? '';
    case 'metadata.namespace':
      return md.namespace ?? '';
    case 'metadata.uid':
      return md.uid ?? '';
    case 'metadata.labels':
      return formatMap(md.labels);
    case 'metadata.annotations':
      return formatMap(md.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
      return facts.podIP ?? '';
    case 'status.podIPs':
      return (facts.podIPs ?? (facts.podIP ? [facts.podIP] : [])).join(',');
    case 'status.hostIP':
      return facts.hostIP ?? '';
    case 'status.hostIPs':
      return (facts.hostIPs ?? (facts.hostIP ? [facts.hostIP] : [])).join(',');
    default:
      throw fieldError(`unsupported fieldPath: ${fieldPath}`);
  }
}

export function resourceFieldValue(
  pod: Pod,
  container: Container | undefined,
  ref: ResourceFieldSelector,
  allocatable: Record<string, string>,
): string {
  const c = ref.containerName
    ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === ref.containerName)
    : container;
  if (!c) throw fieldError(`container ${ref.containerName ?? ''} not found for resourceFieldRef`);
  const [kind, resource] = ref.resource.split('.', 2) as [string, string | undefined];
  if ((kind !== 'limits' && kind !== 'requests') || !resource) throw fieldError(`unsupported container resource: ${ref.resource}`);
  const own = kind === 'limits' ? c.resources?.limits?.[resource] : c.resources?.requests?.[resource];
  const value = own ?? (kind === 'limits' ? allocatable[resource] : undefined) ?? 0;
  const divisor = ref.divisor ?? 1;
  if (resource === 'cpu') {
    const d = toMilli(divisor) || 1;
    return String(Math.ceil(toMilli(value) / d));
  }
  if (resource === 'memory' || resource === 'ephemeral-storage' || resource.startsWith('hugepages-')) {
    const d = toInteger(divisor) || 1;
    return String(Math.ceil(toInteger(value) / d));
  }
  throw fieldError(`unsupported container resource: ${ref.resource}`);
}
