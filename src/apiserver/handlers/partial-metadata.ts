// PartialObjectMetadata responses (Accept ...;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1):
// only the metadata of each object, as metadata-only informers (the garbage collector) ask for.

import type { KeyValue } from '../../storage/backend.js';
import { objectOf } from '../registry/resource-store.js';

const cache = new WeakMap<KeyValue, string>();

/** `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{...}}`, once per stored version. */
export function partialMetadataJson(kv: KeyValue): string {
  let j = cache.get(kv);
  if (j === undefined) {
    j = JSON.stringify({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: objectOf(kv).metadata });
    cache.set(kv, j);
  }
  return j;
}

export const PARTIAL_LIST_HEAD = (meta: unknown) =>
  `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":${JSON.stringify(meta)},"items":[`;
