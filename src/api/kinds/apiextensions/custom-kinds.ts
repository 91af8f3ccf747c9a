// A CustomResourceDefinition as served kinds: one KindDef per served version, plus the structural
// definitions of its schemas for the schema registry, so that validation, pruning, defaults, tables,
// patch and apply of custom objects work from the same registry as built-in kinds.

import type { CustomResourceColumnDefinition, CustomResourceDefinition, JSONSchemaProps } from '../../gen/types.js';
import type { ColumnDefinition, KindDef, SubresourceDef } from '../../kind.js';
import type { AnyObject } from '../../object.js';
import type { Definition, DefinitionMap } from '../../schema/types.js';
import { applySchemaDefaults, pruneUnknownFields, toDefinitions, validateAgainstSchema } from '../../crd/index.js';
import { humanDuration } from '../../../base/duration.js';
import { STANDARD_VERBS } from '../common/define.js';
import { nameColumn } from '../common/table.js';
import { evalJsonPath, parseJsonPath } from './jsonpath.js';

export interface CustomKinds {
  kinds: KindDef[];
  definitions: DefinitionMap;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** `stable.example.com`, `v1`, `CronTab` -> `com.example.stable.v1.CronTab`, as upstream names CRD definitions in OpenAPI. */
function customDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

const PRESERVE_ALL: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** The root definition always knows apiVersion, kind and metadata (the schema rarely spells them out). */
function withTypeMeta(defs: DefinitionMap, root: string): DefinitionMap {
  const d = defs[root];
  if (!d || d.kind !== 'object') return defs;
  const fields = { ...d.fields };
  fields['apiVersion'] ??= { type: { kind: 'prim', type: 'string' } };
  fields['kind'] ??= { type: { kind: 'prim', type: 'string' } };
  const meta = fields['metadata'];
  if (!meta || meta.type.kind !== 'ref' || meta.type.ref !== OBJECT_META) fields['metadata'] = { type: { kind: 'ref', ref: OBJECT_META } };
  const out: Record<string, Definition> = { ...defs };
  out[root] = { ...d, fields };
  return out;
}

function cellOf(col: CustomResourceColumnDefinition, values: unknown[], now: number): unknown {
  if (values.length === 0) return null;
  const v = values.length === 1 ? values[0] : values;
  if (col.type === 'date' && typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? v : humanDuration(now - t);
  }
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(',');
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return v;
}

function tableOf(columns: readonly CustomResourceColumnDefinition[] | undefined): KindDef['table'] {
  const cols: CustomResourceColumnDefinition[] = columns?.length
    ? [...columns]
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since the object was created.' }];
  const paths = cols.map((c) => {
    try {
      return parseJsonPath(c.jsonPath);
    } catch {
      return undefined;
    }
  });
  const defs: ColumnDefinition[] = [
    nameColumn,
    ...cols.map((c): ColumnDefinition => ({
      name: c.name,
      type: c.type === 'integer' || c.type === 'number' || c.type === 'boolean' ? c.type : 'string',
      format: c.format ?? (c.type === 'date' ? 'date' : ''),
      description: c.description ?? '',
      priority: (c.priority ?? 0) > 0 ? 1 : 0,
    })),
  ];
  return {
    columns: defs,
    row: (obj: AnyObject, now: number) => [
      obj.metadata.name ?? '',
      ...cols.map((c, i) => {
        const p = paths[i];
        return p ? cellOf(c, evalJsonPath(p, obj), now) : null;
      }),
    ],
  };
}

/**
 * Kubernetes' version order: GA before beta before alpha, higher numbers first (v2 > v1 > v1beta2 >
 * v1beta1 > v1alpha1); versions of any other form after them all.
 */
export function versionPriority(v: string): number {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return 0;
  const major = Number(m[1]);
  const level = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return level * 1e8 + major * 1e4 + (m[3] === undefined ? 0 : Number(m[3]));
}

/** The kinds a CRD serves (none when it has no accepted names yet) and its schemas' definitions. */
export function customKindsOf(crd: CustomResourceDefinition): CustomKinds {
  const { group, scope } = crd.spec;
  // served under the names the naming check accepted (the spec's until then)
  const accepted = crd.status?.acceptedNames;
  const names = accepted?.kind && accepted.plural ? accepted : crd.spec.names;
  const storage = crd.spec.versions.find((v) => v.storage)?.name;
  const kinds: KindDef[] = [];
  let definitions: DefinitionMap = {};
  for (const v of crd.spec.versions) {
    if (!v.served) continue;
    const schema = v.schema?.openAPIV3Schema ?? PRESERVE_ALL;
    const defName = customDefinitionName(group, v.name, names.kind);
    const gvk = { group, version: v.name, kind: names.kind };
    definitions = { ...definitions, ...withTypeMeta(toDefinitions(schema, defName, gvk), defName) };
    const subresources: SubresourceDef[] = [];
    const hasStatus = v.subresources?.status !== undefined && v.subresources.status !== null;
    if (hasStatus) subresources.push({ name: 'status', group, version: v.name, kind: names.kind, verbs: ['get', 'patch', 'update'] });
    const scale = v.subresources?.scale;
    if (scale) subresources.push({ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    const kind: KindDef = {
      group,
      version: v.name,
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      plural: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      namespaced: scope === 'Namespaced',
      verbs: STANDARD_VERBS,
      schema: defName,
      subresources,
      generation: true,
      hasStatus,
      // pruning and schema defaults run where built-in defaults do: after decoding, before validation,
      // on create and on every update of the main resource
      defaults(obj) {
        const rec = obj as unknown as Record<string, unknown>;
        // with a status subresource a new object starts without status (the generic create gives `{}`)
        const st = rec['status'];
        if (hasStatus && st !== null && typeof st === 'object' && Object.keys(st).length === 0) delete rec['status'];
        pruneUnknownFields(rec, schema);
        applySchemaDefaults(rec, schema);
      },
      validate: (obj) => validateAgainstSchema(obj as unknown as Record<string, unknown>, schema),
      validateStatus: (obj) => validateAgainstSchema(obj as unknown as Record<string, unknown>, schema),
      table: tableOf(v.additionalPrinterColumns),
      ...(v.deprecated ? { deprecationWarning: v.deprecationWarning ?? `${group}/${v.name} ${names.kind} is deprecated` } : {}),
      ...(storage ? { storageVersion: storage } : {}),
      // read-time defaulting costs a parse per stored version read: only schemas with defaults pay it
      // (without, a field a newer schema drops is pruned at the object's next write, not on read)
      ...(storage && JSON.stringify(schema).includes('"default"') ? { defaultOnRead: true } : {}),
      ...(scale
        ? {
            scalePaths: {
              specReplicasPath: scale.specReplicasPath,
              statusReplicasPath: scale.statusReplicasPath,
              ...(scale.labelSelectorPath ? { labelSelectorPath: scale.labelSelectorPath } : {}),
            },
          }
        : {}),
    };
    kinds.push(kind);
  }
  // discovery lists a group's versions in this order and prefers the first: upstream's version priority
  kinds.sort((a, b) => versionPriority(b.version) - versionPriority(a.version) || a.version.localeCompare(b.version));
  return { kinds, definitions };
}
