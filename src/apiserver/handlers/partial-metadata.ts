// PartialObjectMetadata responses (Accept ...;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1):
// only the metadata of each object, as metadata-only informers (the garbage collector) ask for.
// The metadata text is cut out of the stored JSON, not parsed and re-serialized, and not cached per
// stored version: a cache keyed by every current version held a second copy of all metadata
// (about 2.5 KB per pod with managedFields) once the garbage collector had listed everything.
// Watchers share the encoded event lines (handlers/watch.ts).

import type { KeyValue } from '../../storage/backend.js';
import { metadataText } from '../registry/codec.js';
import { objectOf } from '../registry/resource-store.js';

const HEAD = '{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":';

/** `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{...}}` of a stored version. */
export function partialMetadataJson(kv: KeyValue): string {
  const meta = metadataText(kv.value);
  if (meta === undefined) return `${HEAD}${JSON.stringify(objectOf(kv).metadata)}}`;
  const rv = `"resourceVersion":"${kv.modRevision}"`;
  return meta.length > 2 ? `${HEAD}{${rv},${meta.slice(1)}}` : `${HEAD}{${rv}}}`;
}

export const PARTIAL_LIST_HEAD = (meta: unknown) =>
  `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":${JSON.stringify(meta)},"items":[`;
