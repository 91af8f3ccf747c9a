// Storage encoding of objects. The stored JSON never carries metadata.resourceVersion: the
// revision of the key-value pair is the resourceVersion, spliced in on the way out (as upstream
// does with etcd's modRevision). Stored documents always start with apiVersion, kind, metadata,
// which makes the splice a constant-time string operation.

import type { AnyObject, KubeObject } from '../../api/object.js';
import { jsonRoundTrip } from '../../base/json-clone.js';

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

/**
 * The object `stored` (= encodeForStorage(obj, managedFieldsJson)) decodes to, without its
 * resourceVersion, built from `obj` by a walk rather than by parsing the text: the same members in
 * the same order. Falls back to parsing `stored` when `obj` holds anything JSON would not copy as is.
 */
export function storedObject(obj: AnyObject, stored: string, managedFieldsJson?: string): AnyObject {
  // the layout of encodeForStorage, built member by member (rest patterns cost more here)
  const metadata = obj.metadata as Record<string, unknown>;
  const meta: Record<string, unknown> = {};
  for (const k in metadata) if (k !== 'resourceVersion' && k !== 'selfLink' && k !== 'managedFields') meta[k] = metadata[k];
  if (managedFieldsJson === undefined && metadata['managedFields'] !== undefined) meta['managedFields'] = metadata['managedFields'];
  const shaped: Record<string, unknown> = {};
  if (obj.apiVersion !== undefined) shaped['apiVersion'] = obj.apiVersion;
  if (obj.kind !== undefined) shaped['kind'] = obj.kind;
  shaped['metadata'] = meta;
  for (const k in obj) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata') shaped[k] = obj[k];
  const out = jsonRoundTrip(shaped) as AnyObject | undefined;
  if (out === undefined) return JSON.parse(stored) as AnyObject;
  if (managedFieldsJson !== undefined) out.metadata.managedFields = JSON.parse(managedFieldsJson) as AnyObject['metadata']['managedFields'];
  return out;
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

/**
 * The text of the top-level `metadata` object of stored (or wire) JSON, found by scanning rather
 * than parsing: metadata comes third in a stored document, so the scan stops after a fraction of
 * it. undefined when the text has no top-level metadata object (the caller then parses).
 */
export function metadataText(json: string): string | undefined {
  let depth = 0;
  let expectKey = false;
  let key: string | undefined;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 34 /* " */) {
      const start = i + 1;
      i = stringEnd(json, start);
      if (depth === 1 && expectKey) {
        key = json.slice(start, i);
        expectKey = false;
      }
    } else if (c === 58 /* : */) {
      if (depth === 1 && key === 'metadata') {
        let at = i + 1;
        while (at < json.length && json.charCodeAt(at) <= 32) at++;
        return json.charCodeAt(at) === 123 /* { */ ? objectAt(json, at) : undefined;
      }
    } else if (c === 44 /* , */) {
      if (depth === 1) expectKey = true;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      if (depth === 1) expectKey = c === 123;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
      if (depth === 0) return undefined;
    }
  }
  return undefined;
}

/** The index of the closing quote of the string whose text starts at `from`. */
function stringEnd(json: string, from: number): number {
  let i = from;
  for (; i < json.length; i++) {
    const d = json.charCodeAt(i);
    if (d === 92 /* \ */) i++;
    else if (d === 34) break;
  }
  return i;
}

/** The balanced JSON object starting at `at` (which holds `{`). */
function objectAt(json: string, at: number): string | undefined {
  let depth = 0;
  for (let i = at; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 34) i = stringEnd(json, i + 1);
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return json.slice(at, i + 1);
    }
  }
  return undefined;
}
