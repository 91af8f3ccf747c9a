// Served resources, read from legacy discovery: GET /api/v1 and /apis, then each group's preferred
// /apis/<group>/<version> APIResourceList. Subresources (`pods/status`) are left out.

import type { ResourceRef } from './paths.js';
import type { RestClient } from './rest-client.js';

export interface ApiResource {
  group: string;
  version: string;
  /** plural, e.g. `deployments` */
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

interface ResourceList {
  groupVersion?: string;
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}
interface GroupList {
  groups?: { name: string; preferredVersion?: { version: string }; versions?: { version: string }[] }[];
}

function fromList(group: string, version: string, rl: ResourceList): ApiResource[] {
  return (rl.resources ?? [])
    .filter((r) => !r.name.includes('/'))
    .map((r) => ({ group, version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [] }));
}

/** Every served resource of every group (preferred versions). Throws when /api/v1 or /apis fails. */
export async function discoverResources(client: RestClient): Promise<ApiResource[]> {
  const out = fromList('', 'v1', await client.request<ResourceList>('GET', '/api/v1'));
  const groups = await client.request<GroupList>('GET', '/apis');
  const lists = await Promise.all(
    (groups.groups ?? []).map(async (g) => {
      const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
      if (!version) return [];
      const rl = await client.request<ResourceList>('GET', `/apis/${g.name}/${version}`);
      return fromList(g.name, version, rl);
    }),
  );
  for (const l of lists) out.push(...l);
  return out;
}

export const hasVerbs = (r: ApiResource, ...verbs: string[]) => verbs.every((v) => r.verbs.includes(v));

/** `v1` or `apps/v1` */
export const groupVersionOf = (r: Pick<ApiResource, 'group' | 'version'>) => (r.group ? `${r.group}/${r.version}` : r.version);

/** The collection path (all namespaces when `namespace` is absent), or one object's path with `name`. */
/** A discovered resource as a reference for client.resource() and the path helpers. */
export const resourceRef = (r: Pick<ApiResource, 'group' | 'version' | 'resource' | 'namespaced'>): ResourceRef => ({
  group: r.group,
  version: r.version,
  plural: r.resource,
  namespaced: r.namespaced,
});
