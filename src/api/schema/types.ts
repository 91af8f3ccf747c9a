// The shape of Tandem's structural schemas: one Definition per OpenAPI definition name
// (e.g. `io.k8s.api.apps.v1.Deployment`). Field names, types, formats, list/map semantics and
// merge keys are wire facts; no upstream description text is kept. Validation of types,
// strict unknown-field detection, OpenAPI v3 documents, strategic-merge and server-side-apply
// list handling, and protobuf decoding are all derived from these definitions.

export type Primitive = 'string' | 'integer' | 'number' | 'boolean';

// Conventions beyond plain OpenAPI:
// - `format: 'int-or-string'` on a prim accepts an integer or a string (x-kubernetes-int-or-string);
// - `default` on a prim or ref is the default of an array item or map value (a field's own default is
//   FieldDef.default).
export type TypeRef =
  | { kind: 'prim'; type: Primitive; format?: string; enum?: readonly string[]; default?: unknown }
  | { kind: 'ref'; ref: string; default?: unknown }
  | { kind: 'array'; items: TypeRef }
  | { kind: 'map'; values: TypeRef }
  /** Free-form JSON (RawExtension, JSON, FieldsV1 contents): accepted as is. */
  | { kind: 'any' };

export interface FieldDef {
  type: TypeRef;
  /** x-kubernetes-list-type */
  listType?: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys */
  listMapKeys?: readonly string[];
  /** x-kubernetes-patch-merge-key */
  patchMergeKey?: string;
  /** x-kubernetes-patch-strategy, e.g. `merge`, `retainKeys`, `merge,retainKeys`, `replace` */
  patchStrategy?: string;
  /** x-kubernetes-map-type */
  mapType?: 'atomic' | 'granular';
  /** OpenAPI default, where upstream declares one */
  default?: unknown;
}

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

export type Definition =
  | {
      kind: 'object';
      fields: Readonly<Record<string, FieldDef>>;
      required?: readonly string[];
      /** x-kubernetes-group-version-kind, for top-level kinds */
      gvk?: readonly GVK[];
      /** x-kubernetes-map-type on the struct itself (`atomic` structs are replaced whole by SSA) */
      mapType?: 'atomic' | 'granular';
      /** x-kubernetes-preserve-unknown-fields on a struct: fields beyond `fields` are kept unchecked */
      preserveUnknownFields?: boolean;
      /** x-kubernetes-unions etc. are not kept */
    }
  /**
   * A named scalar such as Quantity (string), IntOrString (int-or-string), Time (date-time).
   * `oneOf` lists the JSON types accepted when there are several (Quantity: string or number).
   */
  | { kind: 'scalar'; type: TypeRef; oneOf?: readonly Primitive[] };

export type ObjectDefinition = Extract<Definition, { kind: 'object' }>;

export type DefinitionMap = Readonly<Record<string, Definition>>;
