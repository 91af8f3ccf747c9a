// A typed handle on one kind's REST resource, derived from its KindDef (client-go's typed
// clientsets, without generated code): `client.resource(podKind).namespace('default').patchStatus(name, p)`.
// Every path outside src/client/ is built here, from the kind.

import type { KubeObject, ListMeta } from '../api/object.js';
import { collectionPath, objectPath, withQuery, type ResourceRef } from './paths.js';

/** What a resource handle needs of the REST transport (rest-client.ts implements it). */
export interface Requester {
  request<T = unknown>(method: string, path: string, body?: unknown, contentType?: string, accept?: string): Promise<T>;
  getOrUndefined<T = unknown>(path: string): Promise<T | undefined>;
}

type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
  /** server-side apply: take over conflicting fields */
  force?: boolean;
}

interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: ListMeta;
  items: T[];
}

export interface ResourceClient<T extends KubeObject> {
  readonly kind: ResourceRef;
  /** The same resource in one namespace (namespaced kinds; ignored for cluster-scoped ones). */
  namespace(ns: string): ResourceClient<T>;
  /** The collection path, or an object's or subresource's path: for streaming callers (logs, exec). */
  path(name?: string, subresource?: string): string;
  get(name: string): Promise<T>;
  /** like get, but undefined for 404 */
  getOrUndefined(name: string): Promise<T | undefined>;
  list(opts?: ListOptions): Promise<ObjectList<T>>;
  create(obj: T, opts?: WriteOptions): Promise<T>;
  update(obj: T, opts?: WriteOptions): Promise<T>;
  updateStatus(obj: T, opts?: WriteOptions): Promise<T>;
  /** `patch` is the patch document of `type` (default: a JSON merge patch). */
  patch(name: string, patch: unknown, type?: PatchType, opts?: WriteOptions): Promise<T>;
  patchStatus(name: string, patch: unknown, type?: PatchType, opts?: WriteOptions): Promise<T>;
  /** The object as the server answers the DELETE (itself while finalizers hold it, else a Status). */
  delete(name: string, opts?: DeleteOptions): Promise<unknown>;
  /** POST to a subresource that takes a body of its own kind (pods/binding, pods/eviction). */
  createSubresource(name: string, subresource: string, body: unknown): Promise<unknown>;
  /** PUT to a subresource (namespaces/finalize, deployments/scale). */
  updateSubresource<R = unknown>(name: string, subresource: string, body: unknown): Promise<R>;
  /** PATCH a subresource other than status (deployments/scale). */
  patchSubresource<R = unknown>(name: string, subresource: string, patch: unknown, type?: PatchType): Promise<R>;
}

const writeQuery = (o: WriteOptions | undefined) => ({
  fieldManager: o?.fieldManager,
  dryRun: o?.dryRun ? 'All' : undefined,
  force: o?.force ? 'true' : undefined,
});

export function createResourceClient<T extends KubeObject>(rest: Requester, kind: ResourceRef, ns?: string): ResourceClient<T> {
  const nsOf = (obj?: T) => ns ?? obj?.metadata.namespace;
  const one = (name: string, sub?: string, obj?: T) => objectPath(kind, nsOf(obj), name, sub);
  return {
    kind,
    namespace: (namespace) => createResourceClient<T>(rest, kind, namespace),
    path: (name, sub) => (name === undefined ? collectionPath(kind, ns) : one(name, sub)),
    get: (name) => rest.request<T>('GET', one(name)),
    getOrUndefined: (name) => rest.getOrUndefined<T>(one(name)),
    list: (o = {}) =>
      rest.request<ObjectList<T>>(
        'GET',
        withQuery(collectionPath(kind, ns), {
          labelSelector: o.labelSelector,
          fieldSelector: o.fieldSelector,
          limit: o.limit === undefined ? undefined : String(o.limit),
          continue: o.continue,
          resourceVersion: o.resourceVersion,
        }),
      ),
    create: (obj, o) => rest.request<T>('POST', withQuery(collectionPath(kind, nsOf(obj)), writeQuery(o)), obj),
    update: (obj, o) => rest.request<T>('PUT', withQuery(one(obj.metadata.name ?? '', undefined, obj), writeQuery(o)), obj),
    updateStatus: (obj, o) => rest.request<T>('PUT', withQuery(one(obj.metadata.name ?? '', 'status', obj), writeQuery(o)), obj),
    patch: (name, patch, type = 'merge', o) => rest.request<T>('PATCH', withQuery(one(name), writeQuery(o)), patch, CONTENT_TYPES[type]),
    patchStatus: (name, patch, type = 'merge', o) =>
      rest.request<T>('PATCH', withQuery(one(name, 'status'), writeQuery(o)), patch, CONTENT_TYPES[type]),
    delete: (name, o) => rest.request<unknown>('DELETE', one(name), o ? { apiVersion: 'v1', kind: 'DeleteOptions', ...o } : undefined),
    createSubresource: (name, sub, body) => rest.request<unknown>('POST', one(name, sub), body),
    updateSubresource: <R>(name: string, sub: string, body: unknown) => rest.request<R>('PUT', one(name, sub), body),
    patchSubresource: <R>(name: string, sub: string, patch: unknown, type: PatchType = 'merge') =>
      rest.request<R>('PATCH', one(name, sub), patch, CONTENT_TYPES[type]),
  };
}
