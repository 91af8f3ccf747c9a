// The DefaultIngressClass admission plugin, on by default upstream: an Ingress created without
// spec.ingressClassName (and without the legacy kubernetes.io/ingress.class annotation) gets the
// IngressClass annotated ingressclass.kubernetes.io/is-default-class=true; with several such classes
// the newest wins (same age: the first name), as upstream has chosen since 1.28.

import type { Ingress, IngressClass } from '../../api/gen/types.js';
import { ingressClassKind } from '../../api/kinds/networking/ingress-class.js';
import type { UnvalidatedObject } from '../../api/unvalidated.js';
import type { Backend } from '../../storage/backend.js';
import { decodeStored } from '../registry/codec.js';
import { listPrefix } from '../registry/keys.js';
import type { AdmissionPlugin } from './plugin.js';

const IS_DEFAULT = 'ingressclass.kubernetes.io/is-default-class';
const LEGACY_CLASS = 'kubernetes.io/ingress.class';

export type IngressClassLister = () => Promise<IngressClass[]>;

export function storeIngressClassLister(backend: Backend): IngressClassLister {
  return async () =>
    (await backend.list(listPrefix(ingressClassKind, undefined))).kvs.map((kv) => decodeStored<IngressClass>(kv.value, kv.modRevision));
}

/** The default class among `classes`, or undefined when none is marked. */
export function pickDefaultIngressClass(classes: readonly IngressClass[]): IngressClass | undefined {
  const time = (c: IngressClass) => Date.parse(c.metadata.creationTimestamp ?? '') || 0;
  return classes
    .filter((c) => c.metadata.annotations?.[IS_DEFAULT] === 'true')
    .sort((a, b) => time(b) - time(a) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))[0];
}

export function createDefaultIngressClassPlugin(list: IngressClassLister): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    async mutate(r) {
      if (r.operation !== 'CREATE' || r.subresource || r.kind.group !== 'networking.k8s.io' || r.kind.kind !== 'Ingress') return false;
      const ing = r.object as UnvalidatedObject<Ingress> | undefined;
      if (!ing || ing.spec?.ingressClassName !== undefined || ing.metadata.annotations?.[LEGACY_CLASS] !== undefined) return false;
      const cls = pickDefaultIngressClass(await list());
      if (!cls?.metadata.name) return false;
      ing.spec = { ...ing.spec, ingressClassName: cls.metadata.name };
      return true;
    },
  };
}
