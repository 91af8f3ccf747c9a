// Typed kind definitions, erased to the registry's KindDef<KubeObject>.

import type { KindDef, SubresourceDef } from '../../kind.js';
import type { KubeObject } from '../../object.js';

/** Every verb of an ordinary namespaced or cluster resource, as upstream discovery lists them. */
export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

/**
 * A kind written against its own object type `T`. The registry holds KindDef<KubeObject>; the API
 * server only ever passes objects of the kind's own GVK, so narrowing the parameter type is sound.
 */
export function defineKind<T extends KubeObject>(def: KindDef<T>): KindDef {
  return def as unknown as KindDef;
}

/** The `status` subresource of a kind. */
export const statusSub = (group: string, kind: string): SubresourceDef =>
  ({ name: 'status', group, version: 'v1', kind, verbs: ['get', 'patch', 'update'] });

/** The autoscaling/v1 Scale subresource. */
export const scaleSub: SubresourceDef = { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
