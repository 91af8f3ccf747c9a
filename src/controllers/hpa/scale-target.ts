// Where an HPA's scale target keeps its scale subresource: built-in kinds from the registry, others
// (custom resources with a scale subresource) from discovery, refreshed at most every 30 s on a miss.

import type { AutoscalingV2CrossVersionObjectReference } from '../../api/gen/types.js';
import { kindByGVK } from '../../api/kinds/index.js';
import { discoverResources, type ApiResource } from '../../client/discovery.js';
import { objectPath, type ResourceRef } from '../../client/paths.js';
import type { RestClient } from '../../client/rest-client.js';

const REFRESH_MS = 30_000;
let discovered: { at: number; list: ApiResource[] } | undefined;

function split(apiVersion: string | undefined): [string, string] {
  const v = apiVersion ?? '';
  const i = v.indexOf('/');
  return i < 0 ? ['', v] : [v.slice(0, i), v.slice(i + 1)];
}

export async function scaleTargetPath(
  client: RestClient,
  ref: AutoscalingV2CrossVersionObjectReference,
  namespace: string,
): Promise<string> {
  const [group, version] = split(ref.apiVersion);
  const known = kindByGVK(group, version, ref.kind);
  let res: ResourceRef | undefined = known && known.subresources.some((s) => s.name === 'scale') ? known : undefined;
  if (!res) {
    const find = () =>
      discovered?.list.find((r) => r.group === group && r.version === version && r.kind === ref.kind && !r.resource.includes('/'));
    if (!find() && (!discovered || Date.now() - discovered.at > REFRESH_MS))
      discovered = { at: Date.now(), list: await discoverResources(client) };
    const r = find();
    if (r) res = { group: r.group, version: r.version, plural: r.resource, namespaced: r.namespaced };
  }
  if (!res) throw new Error(`no matches for kind "${ref.kind}" in group "${group}"`);
  return objectPath(res, namespace, ref.name, 'scale');
}
