// Per-group-version OpenAPI v3 documents (`/openapi/v3/apis/<group>/<version>`) in upstream's shape,
// generated from the KindDefs and the DefinitionMap, plus the `/openapi/v3` index. kubectl 1.32 needs a
// PATCH operation carrying the object's GVK and a `fieldValidation` parameter before it validates
// server-side; `kubectl explain` walks components.schemas.

import { createHash } from 'node:crypto';
import type { KindDef, SubresourceDef } from '../kind.js';
import { schemaRegistry, type SchemaRegistry } from './registry.js';
import { REF_PREFIX, schemaClosure, type JsonSchema } from './openapi-v3-schemas.js';
import type { GVK } from './types.js';

export interface GroupVersion {
  group: string;
  version: string;
}

export interface OpenApiV3Options {
  registry?: SchemaRegistry;
  /** List application/strategic-merge-patch+json on PATCH (true for built-in kinds, false for custom resources). */
  strategicMergePatch?: boolean;
}

const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const WATCH_EVENT = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';
const RESOURCE_LIST = 'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList';
const CONNECT = new Set(['exec', 'attach', 'portforward', 'proxy']);

const QUERY_TYPES: Readonly<Record<string, string>> = {
  allowWatchBookmarks: 'boolean',
  continue: 'string',
  dryRun: 'string',
  fieldManager: 'string',
  fieldSelector: 'string',
  fieldValidation: 'string',
  force: 'boolean',
  gracePeriodSeconds: 'integer',
  ignoreStoreReadErrorWithClusterBreakingPotential: 'boolean',
  labelSelector: 'string',
  limit: 'integer',
  orphanDependents: 'boolean',
  pretty: 'string',
  propagationPolicy: 'string',
  resourceVersion: 'string',
  resourceVersionMatch: 'string',
  sendInitialEvents: 'boolean',
  timeoutSeconds: 'integer',
  watch: 'boolean',
};
const LIST_PARAMS = [
  'allowWatchBookmarks',
  'continue',
  'fieldSelector',
  'labelSelector',
  'limit',
  'resourceVersion',
  'resourceVersionMatch',
  'sendInitialEvents',
  'timeoutSeconds',
  'watch',
];
const WRITE_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation'];
const PATCH_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'];
const DELETE_PARAMS = [
  'dryRun',
  'gracePeriodSeconds',
  'ignoreStoreReadErrorWithClusterBreakingPotential',
  'orphanDependents',
  'propagationPolicy',
];
const DELETE_COLLECTION_PARAMS = [
  ...new Set([...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p !== 'allowWatchBookmarks' && p !== 'watch')]),
].sort();

const query = (name: string): JsonSchema => ({ in: 'query', name, schema: { type: QUERY_TYPES[name] ?? 'string', uniqueItems: true } });
const pathParam = (name: string): JsonSchema => ({ in: 'path', name, required: true, schema: { type: 'string', uniqueItems: true } });
const ref = (name: string) => ({ $ref: REF_PREFIX + name });
const upper = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const OBJECT_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const LIST_TYPES = [...OBJECT_TYPES, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const WATCH_TYPES = ['application/json', 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const content = (types: readonly string[], schema: object) => Object.fromEntries(types.map((t) => [t, { schema }]));
const responses = (codes: Record<string, string>, types: readonly string[], schema: object): JsonSchema => {
  const r: JsonSchema = {};
  for (const [code, text] of Object.entries(codes)) r[code] = { content: content(types, schema), description: text };
  r['401'] = { description: 'Unauthorized' };
  return r;
};

/** `coordination.k8s.io` -> `coordination`, `rbac.authorization.k8s.io` -> `rbacAuthorization`, '' -> `core`. */
function groupTag(group: string): string {
  if (!group) return 'core';
  const parts = group.replace(/\.k8s\.io$/, '').split('.');
  return parts.map((p, i) => (i ? upper(p) : p)).join('');
}

/** Sorts object keys recursively, as upstream's documents are. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = sortKeys(o[k]);
  return out;
}

export function buildOpenApiV3(gv: GroupVersion, kinds: readonly KindDef[], opts: OpenApiV3Options = {}): object {
  const reg = opts.registry ?? schemaRegistry;
  const smp = opts.strategicMergePatch ?? true;
  const prefix = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
  const tag = `${groupTag(gv.group)}_${gv.version}`;
  const idPart = `${upper(groupTag(gv.group))}${upper(gv.version)}`;
  const paths: Record<string, JsonSchema> = {};
  const roots = new Set<string>([STATUS]);

  const op = (id: string, action: string | undefined, gvk: GVK | undefined, text: string, extra: JsonSchema): JsonSchema => {
    const o: JsonSchema = { description: text, operationId: id, tags: [tag], ...extra };
    if (action) o['x-kubernetes-action'] = action;
    if (gvk) o['x-kubernetes-group-version-kind'] = { group: gvk.group, kind: gvk.kind, version: gvk.version };
    return o;
  };
  const body = (schemaName: string) => ({ content: { '*/*': { schema: ref(schemaName) } }, required: true });
  const patchBody = () => {
    const types = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];
    if (smp) types.push('application/strategic-merge-patch+json');
    return { content: content(types.sort(), ref(PATCH)), required: true };
  };
  const add = (path: string, method: string, o: JsonSchema, params: readonly JsonSchema[]) => {
    const p = (paths[path] ??= { parameters: [...params].sort((a, b) => String(a['name']).localeCompare(String(b['name']))) });
    p[method] = o;
  };

  paths[`${prefix}/`] = {
    get: op(`get${idPart}APIResources`, undefined, undefined, 'get available resources', {
      responses: responses(
        { 200: 'OK' },
        ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
        ref(RESOURCE_LIST),
      ),
    }),
  };
  roots.add(RESOURCE_LIST);

  for (const k of kinds) {
    const gvk: GVK = { group: k.group, version: k.version, kind: k.kind };
    const verbs = new Set(k.verbs);
    const ns = k.namespaced ? 'Namespaced' : '';
    const nsPath = k.namespaced ? '/namespaces/{namespace}' : '';
    const nsParams = k.namespaced ? [pathParam('namespace')] : [];
    const coll = `${prefix}${nsPath}/${k.plural}`;
    const item = `${coll}/{name}`;
    const itemParams = [pathParam('name'), ...nsParams, query('pretty')];
    const collParams = [...nsParams, query('pretty')];
    const listSchema = reg.definitionForGVK({ ...gvk, kind: k.listKind });
    roots.add(k.schema);
    if (listSchema) roots.add(listSchema);

    if (verbs.has('list') && listSchema) {
      const list = (id: string) =>
        op(id, 'list', gvk, `list ${k.kind} objects`, {
          parameters: LIST_PARAMS.map(query),
          responses: responses({ 200: 'OK' }, LIST_TYPES, ref(listSchema)),
        });
      add(coll, 'get', list(`list${idPart}${ns}${k.kind}`), collParams);
      if (k.namespaced) add(`${prefix}/${k.plural}`, 'get', list(`list${idPart}${k.kind}ForAllNamespaces`), [query('pretty')]);
    }
    if (verbs.has('create')) {
      add(
        coll,
        'post',
        op(`create${idPart}${ns}${k.kind}`, 'post', gvk, `create a ${k.kind}`, {
          parameters: WRITE_PARAMS.map(query),
          requestBody: body(k.schema),
          responses: responses({ 200: 'OK', 201: 'Created', 202: 'Accepted' }, OBJECT_TYPES, ref(k.schema)),
        }),
        collParams,
      );
    }
    if (verbs.has('deletecollection')) {
      roots.add(DELETE_OPTIONS);
      add(
        coll,
        'delete',
        op(`deletecollection${idPart}${ns}${k.kind}`, 'deletecollection', gvk, `delete a collection of ${k.kind} objects`, {
          parameters: DELETE_COLLECTION_PARAMS.map(query),
          requestBody: { content: { '*/*': { schema: ref(DELETE_OPTIONS) } } },
          responses: responses({ 200: 'OK' }, OBJECT_TYPES, ref(STATUS)),
        }),
        collParams,
      );
    }
    addItemOps(item, itemParams, k.kind, k.schema, gvk, verbs, '');
    if (verbs.has('watch')) {
      roots.add(WATCH_EVENT);
      const w = (id: string, action: string) =>
        op(id, action, gvk, `watch ${k.kind} objects`, { responses: responses({ 200: 'OK' }, WATCH_TYPES, ref(WATCH_EVENT)) });
      const wp = LIST_PARAMS.map(query);
      add(`${prefix}/watch${nsPath}/${k.plural}`, 'get', w(`watch${idPart}${ns}${k.kind}List`, 'watchlist'), [
        ...nsParams,
        query('pretty'),
        ...wp,
      ]);
      add(`${prefix}/watch${nsPath}/${k.plural}/{name}`, 'get', w(`watch${idPart}${ns}${k.kind}`, 'watch'), [
        pathParam('name'),
        ...nsParams,
        query('pretty'),
        ...wp,
      ]);
      if (k.namespaced)
        add(`${prefix}/watch/${k.plural}`, 'get', w(`watch${idPart}${k.kind}ListForAllNamespaces`, 'watchlist'), [query('pretty'), ...wp]);
    }
    for (const sub of k.subresources) addSubresource(`${item}/${sub.name}`, itemParams, k, sub);
  }

  function addItemOps(
    path: string,
    params: JsonSchema[],
    kind: string,
    schema: string,
    gvk: GVK,
    verbs: Set<string>,
    suffix: string,
  ): void {
    const id = (verb: string) => `${verb}${idPart}${params.some((p) => p['name'] === 'namespace') ? 'Namespaced' : ''}${kind}${suffix}`;
    const what = suffix ? `${suffix.toLowerCase()} of a ${kind}` : `a ${kind}`;
    if (verbs.has('get'))
      add(
        path,
        'get',
        op(id('read'), 'get', gvk, `read ${what}`, { responses: responses({ 200: 'OK' }, OBJECT_TYPES, ref(schema)) }),
        params,
      );
    if (verbs.has('update')) {
      add(
        path,
        'put',
        op(id('replace'), 'put', gvk, `replace ${what}`, {
          parameters: WRITE_PARAMS.map(query),
          requestBody: body(schema),
          responses: responses({ 200: 'OK', 201: 'Created' }, OBJECT_TYPES, ref(schema)),
        }),
        params,
      );
    }
    if (verbs.has('patch')) {
      roots.add(PATCH);
      add(
        path,
        'patch',
        op(id('patch'), 'patch', gvk, `partially update ${what}`, {
          parameters: PATCH_PARAMS.map(query),
          requestBody: patchBody(),
          responses: responses({ 200: 'OK', 201: 'Created' }, OBJECT_TYPES, ref(schema)),
        }),
        params,
      );
    }
    if (verbs.has('delete') && !suffix) {
      roots.add(DELETE_OPTIONS);
      add(
        path,
        'delete',
        op(id('delete'), 'delete', gvk, `delete ${what}`, {
          parameters: DELETE_PARAMS.map(query),
          requestBody: { content: { '*/*': { schema: ref(DELETE_OPTIONS) } } },
          responses: responses({ 200: 'OK', 202: 'Accepted' }, OBJECT_TYPES, ref(STATUS)),
        }),
        params,
      );
    }
  }

  function addSubresource(path: string, params: JsonSchema[], k: KindDef, sub: SubresourceDef): void {
    const gvk: GVK = { group: sub.group, version: sub.version, kind: sub.kind };
    const verbs = new Set(sub.verbs);
    const name = upper(sub.name);
    const ns = k.namespaced ? 'Namespaced' : '';
    const any = { type: 'string' };
    if (CONNECT.has(sub.name)) {
      for (const [verb, method] of [
        ['get', 'get'],
        ['create', 'post'],
        ['update', 'put'],
        ['delete', 'delete'],
        ['patch', 'patch'],
      ] as const) {
        if (!verbs.has(verb)) continue;
        add(
          path,
          method,
          op(`connect${idPart}${upper(method)}${ns}${k.kind}${name}`, 'connect', gvk, `connect to ${sub.name} of a ${k.kind}`, {
            responses: responses({ 200: 'OK' }, ['*/*'], any),
          }),
          params,
        );
      }
      return;
    }
    if (sub.name === 'log') {
      if (verbs.has('get'))
        add(
          path,
          'get',
          op(`read${idPart}${ns}${k.kind}Log`, 'get', gvk, `read the log of a ${k.kind}`, {
            responses: responses({ 200: 'OK' }, ['application/json', 'text/plain'], any),
          }),
          params,
        );
      return;
    }
    const schema = reg.definitionForGVK(gvk) ?? k.schema;
    roots.add(schema);
    addItemOps(path, params, k.kind, schema, gvk, verbs, name);
    if (verbs.has('create')) {
      add(
        path,
        'post',
        op(`create${idPart}${ns}${k.kind}${name}`, 'post', gvk, `create ${sub.name} of a ${k.kind}`, {
          parameters: WRITE_PARAMS.map(query),
          requestBody: body(schema),
          responses: responses(
            { 200: 'OK', 201: 'Created', 202: 'Accepted' },
            ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
            ref(schema),
          ),
        }),
        params,
      );
    }
  }

  return sortKeys({
    components: { schemas: schemaClosure(roots, reg) },
    info: { title: 'Kubernetes', version: 'unversioned' },
    openapi: '3.0.0',
    paths,
  }) as object;
}

/** Uppercase hex (128 bits) of a SHA-512 of the document bytes, as used in `?hash=`. */
export function openApiV3Hash(bytes: string | Uint8Array): string {
  return createHash('sha512').update(bytes).digest('hex').slice(0, 32).toUpperCase();
}

/**
 * The `/openapi/v3` index. Keys are `api/v1`, `apis/apps/v1`, ...; values are the served bytes (or the
 * document, serialized with JSON.stringify: serve exactly those bytes so the hash matches).
 */
export function buildOpenApiV3Index(docs: Readonly<Record<string, string | Uint8Array | object>>): {
  paths: Record<string, { serverRelativeURL: string }>;
} {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const key of Object.keys(docs).sort()) {
    const d = docs[key];
    if (d === undefined) continue;
    const bytes = typeof d === 'string' || d instanceof Uint8Array ? d : JSON.stringify(d);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${openApiV3Hash(bytes)}` };
  }
  return { paths };
}
