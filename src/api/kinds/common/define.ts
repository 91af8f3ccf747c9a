// Typed kind definitions: each kind is written against its generated object type.

import type { KindDef, SubresourceDef } from '../../kind.js';
import type { KubeObject } from '../../object.js';

/** Every verb of an ordinary namespaced or cluster resource, as upstream discovery lists them. */
export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

/**
 * A kind written against its own object type `T` (typed clients key on it); the registry holds the
 * kinds as KindDef<AnyObject>, and the API server only ever passes objects of the kind's own GVK.
 */
export function defineKind<T extends KubeObject>(def: KindDef<T>): KindDef<T> {
  return def;
}

/** The `status` subresource of a kind. */
export const statusSub = (group: string, kind: string): SubresourceDef => ({
  name: 'status',
  group,
  version: 'v1',
  kind,
  verbs: ['get', 'patch', 'update'],
});

/** The autoscaling/v1 Scale subresource. */
export const scaleSub: SubresourceDef = {
  name: 'scale',
  group: 'autoscaling',
  version: 'v1',
  kind: 'Scale',
  verbs: ['get', 'patch', 'update'],
};
