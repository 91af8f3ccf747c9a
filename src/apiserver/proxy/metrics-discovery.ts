// Discovery entries for metrics.k8s.io/v1beta1 (served by metrics-api.ts, not by the kind registry).

const G = 'metrics.k8s.io';
const V = 'v1beta1';
const RESOURCES = [
  { name: 'nodes', kind: 'NodeMetrics', namespaced: false },
  { name: 'pods', kind: 'PodMetrics', namespaced: true },
];
const VERBS = ['get', 'list'];

export const METRICS_AGGREGATED_ITEM = {
  metadata: { name: G, creationTimestamp: null },
  versions: [
    {
      version: V,
      freshness: 'Current',
      resources: RESOURCES.map((r) => ({
        resource: r.name,
        responseKind: { group: G, version: V, kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: r.name.replace(/s$/, ''),
        verbs: VERBS,
      })),
    },
  ],
};

export const METRICS_GROUP_DOC = {
  name: G,
  versions: [{ groupVersion: `${G}/${V}`, version: V }],
  preferredVersion: { groupVersion: `${G}/${V}`, version: V },
};

export const METRICS_RESOURCE_LIST = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: `${G}/${V}`,
  resources: RESOURCES.map((r) => ({ name: r.name, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: VERBS })),
};
