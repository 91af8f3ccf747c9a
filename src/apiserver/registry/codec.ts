// Storage encoding of objects. The stored JSON never carries metadata.resourceVersion: the
// revision of the key-value pair is the resourceVersion, spliced in on the way out (as upstream
// does with etcd's modRevision). Stored documents always start with apiVersion, kind, metadata,
// which makes the splice a constant-time string operation.

import type { AnyObject, KubeObject } from '../../api/object.js';

/**
 * The stored JSON of `obj`. `managedFieldsJson`, when given, is the already serialized
 * metadata.managedFields (the create path builds it as text); it and any managedFields the object
 * carries go last in metadata, where upstream serializes them too.
 */
export function encodeForStorage(obj: AnyObject, managedFieldsJson?: string): string {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const { resourceVersion: _rv, selfLink: _sl, managedFields, ...meta } = metadata;
  let metaText = JSON.stringify(meta);
  const mf = managedFieldsJson ?? (managedFields === undefined ? undefined : JSON.stringify(managedFields));
  if (mf !== undefined) metaText = `${metaText.length > 2 ? `${metaText.slice(0, -1)},` : '{'}"managedFields":${mf}}`;
  const restText = JSON.stringify(rest);
  const head = `${apiVersion === undefined ? '' : `"apiVersion":${JSON.stringify(apiVersion)},`}${kind === undefined ? '' : `"kind":${JSON.stringify(kind)},`}`;
  return `{${head}"metadata":${metaText}${restText.length > 2 ? `,${restText.slice(1)}` : '}'}`;
}

const META = '"metadata":{';

/** Inserts `"resourceVersion":"rv"` as the first member of metadata. */
export function withResourceVersion(stored: string, rv: number): string {
  const i = stored.indexOf(META);
  if (i < 0) return stored;
  const at = i + META.length;
  const empty = stored.charCodeAt(at) === 125; /* } */
  return `${stored.slice(0, at)}"resourceVersion":"${rv}"${empty ? '' : ','}${stored.slice(at)}`;
}

/** A stored object with its resourceVersion; `T` names the kind when the caller knows it (stored objects passed validation). */
export function decodeStored<T extends KubeObject = AnyObject>(stored: string, rv: number): T {
  const obj = JSON.parse(stored) as T;
  obj.metadata.resourceVersion = String(rv);
  return obj;
}
