// Plain JSON shapes of Kubernetes objects as they travel on the wire and sit in the store. The
// object metadata types are the generated ones (src/api/gen/types.ts).

import type { ObjectMeta } from './gen/types.js';

export type { ListMeta, ManagedFieldsEntry, ObjectMeta, OwnerReference } from './gen/types.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** Any served object: what every kind has. Kinds are the generated interfaces (`Pod`, `Node`, ...). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

/** A served object of any kind whose other fields kind-agnostic code reads by name (spec, status, data, ...). */
export interface AnyObject extends KubeObject {
  [field: string]: unknown;
}
