// What the root CA publisher wants in one namespace: the `kube-root-ca.crt` ConfigMap holding the
// cluster CA under `ca.crt`, with upstream's description annotation. Only the data and that one
// annotation are owned: other annotations and labels a user adds are kept.

import type { ConfigMap, Namespace } from '../../api/gen/types.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
/** upstream's wording: clients may rely on it to find out what the object is for */
export const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

export type RootCaAction = { create: ConfigMap } | { update: ConfigMap } | undefined;

const sameData = (a: Record<string, string> | undefined, b: Record<string, string>) => {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a?.[k] === b[k]);
};

/** The create or update that brings the namespace's ConfigMap in line, or undefined when nothing is to do. */
export function rootCaAction(ns: Namespace | undefined, existing: ConfigMap | undefined, caPem: string): RootCaAction {
  if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return undefined;
  const data = { 'ca.crt': caPem };
  const namespace = ns.metadata.name ?? '';
  if (!existing) {
    return {
      create: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
        data,
      },
    };
  }
  const described = (existing.metadata.annotations?.[DESCRIPTION_ANNOTATION] ?? '') !== '';
  if (sameData(existing.data, data) && described && !existing.binaryData) return undefined;
  const next = structuredClone(existing);
  next.data = data;
  delete next.binaryData;
  next.metadata.annotations = { ...next.metadata.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION };
  return { update: next };
}
