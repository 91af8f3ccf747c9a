// Storage encoding of objects. The stored JSON never carries metadata.resourceVersion: the
// revision of the key-value pair is the resourceVersion, spliced in on the way out (as upstream
// does with etcd's modRevision). Stored documents always start with apiVersion, kind, metadata,
// which makes the splice a constant-time string operation.

import type { KubeObject } from '../../api/object.js';

export function encodeForStorage(obj: KubeObject): string {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const { resourceVersion: _rv, selfLink: _sl, ...meta } = metadata;
  return JSON.stringify({ apiVersion, kind, metadata: meta, ...rest });
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

export function decodeStored(stored: string, rv: number): KubeObject {
  const obj = JSON.parse(stored) as KubeObject;
  obj.metadata.resourceVersion = String(rv);
  return obj;
}
