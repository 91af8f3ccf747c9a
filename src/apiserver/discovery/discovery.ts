// Discovery documents, built once from the kind registry: aggregated (apidiscovery.k8s.io/v2)
// for /api and /apis, and the legacy APIVersions / APIGroupList / APIGroup / APIResourceList.

import type { KindDef } from '../../api/kind.js';
import { METRICS_AGGREGATED_ITEM, METRICS_GROUP_DOC, METRICS_RESOURCE_LIST } from '../proxy/metrics-discovery.js';

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

interface GroupInfo {
  name: string;
  versions: Map<string, KindDef[]>;
}

function groupsOf(kinds: readonly KindDef[]): Map<string, GroupInfo> {
  const groups = new Map<string, GroupInfo>();
  for (const k of kinds) {
    let g = groups.get(k.group);
    if (!g) {
      g = { name: k.group, versions: new Map() };
      groups.set(k.group, g);
    }
    const list = g.versions.get(k.version) ?? [];
    list.push(k);
    g.versions.set(k.version, list);
  }
  return groups;
}

function aggregatedResource(k: KindDef): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: k.plural,
    responseKind: { group: k.group, version: k.version, kind: k.kind },
    scope: k.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: k.singular,
    verbs: k.verbs,
  };
  if (k.shortNames.length) r['shortNames'] = k.shortNames;
  if (k.categories.length) r['categories'] = k.categories;
  if (k.subresources.length) {
    r['subresources'] = k.subresources.map((sr) => ({
      subresource: sr.name,
      responseKind: { group: sr.group, version: sr.version, kind: sr.kind },
      verbs: sr.verbs,
    }));
  }
  return r;
}

function legacyResources(k: KindDef): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: k.plural,
    singularName: k.singular,
    namespaced: k.namespaced,
    kind: k.kind,
    verbs: k.verbs,
  };
  if (k.shortNames.length) main['shortNames'] = k.shortNames;
  if (k.categories.length) main['categories'] = k.categories;
  const subs = k.subresources.map((sr) => {
    const e: Record<string, unknown> = { name: `${k.plural}/${sr.name}`, singularName: '', namespaced: k.namespaced };
    if (sr.group !== k.group || sr.version !== k.version) {
      e['group'] = sr.group;
      e['version'] = sr.version;
    }
    e['kind'] = sr.kind;
    e['verbs'] = sr.verbs;
    return e;
  });
  return [main, ...subs];
}

/** Preferred version of a group: the first listed (all groups serve one version today). */
const preferred = (g: GroupInfo) => [...g.versions.keys()][0]!;

export interface DiscoveryDocs {
  aggregatedApi: string;
  aggregatedApis: string;
  apiVersions: (serverAddress: string) => string;
  apiGroupList: string;
  apiGroup(group: string): string | undefined;
  resourceList(group: string, version: string): string | undefined;
}

export function buildDiscovery(kinds: readonly KindDef[]): DiscoveryDocs {
  const groups = groupsOf(kinds);
  const aggItem = (g: GroupInfo) => ({
    metadata: { name: g.name, creationTimestamp: null },
    versions: [...g.versions.entries()].map(([v, ks]) => ({ version: v, resources: ks.map(aggregatedResource), freshness: 'Current' })),
  });
  const core = groups.get('');
  const named = [...groups.values()].filter((g) => g.name !== '');
  const aggregatedApi = JSON.stringify({
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: core ? [aggItem(core)] : [],
  });
  const aggregatedApis = JSON.stringify({
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: [...named.map(aggItem), METRICS_AGGREGATED_ITEM],
  });
  const groupDoc = (g: GroupInfo) => ({
    name: g.name,
    versions: [...g.versions.keys()].map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${g.name}/${preferred(g)}`, version: preferred(g) },
  });
  const apiGroupList = JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: [...named.map(groupDoc), METRICS_GROUP_DOC] });
  const groupDocs = new Map(named.map((g) => [g.name, JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g) })]));
  groupDocs.set(METRICS_GROUP_DOC.name, JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...METRICS_GROUP_DOC }));
  const resourceLists = new Map<string, string>();
  resourceLists.set(METRICS_RESOURCE_LIST.groupVersion, JSON.stringify(METRICS_RESOURCE_LIST));
  for (const g of groups.values()) {
    for (const [v, ks] of g.versions) {
      const gv = g.name ? `${g.name}/${v}` : v;
      resourceLists.set(
        gv,
        JSON.stringify({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: ks.flatMap(legacyResources) }),
      );
    }
  }
  return {
    aggregatedApi,
    aggregatedApis,
    apiVersions: (serverAddress) =>
      JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] }),
    apiGroupList,
    apiGroup: (group) => groupDocs.get(group),
    resourceList: (group, version) => resourceLists.get(group ? `${group}/${version}` : version),
  };
}

/** Does the Accept header ask for aggregated discovery? */
export function wantsAggregated(accept: string | undefined): boolean {
  return !!accept && /as=APIGroupDiscoveryList/.test(accept) && /g=apidiscovery\.k8s\.io/.test(accept) && /v=v2(?!beta)/.test(accept);
}
