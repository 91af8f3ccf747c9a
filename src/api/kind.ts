// A served kind: everything the API server needs to know about it, in one definition per kind
// under src/api/kinds/. Structural facts (fields, types, merge keys) come from the schema named by
// `schema`; this record adds the REST identity and the behaviour upstream hand-codes per kind.

import type { FieldError } from '../base/errors.js';
import type { AnyObject, KubeObject } from './object.js';
import type { UnvalidatedObject } from './unvalidated.js';

export interface ColumnDefinition {
  name: string;
  /** OpenAPI type of the cell: string, integer, number, boolean */
  type: 'string' | 'integer' | 'number' | 'boolean';
  /** e.g. `name` for the first column, `date` for Age */
  format: string;
  description: string;
  /** 0: always shown; 1: only with -o wide */
  priority: 0 | 1;
}

export interface TableDef<T extends KubeObject = AnyObject> {
  columns: readonly ColumnDefinition[];
  /** The cells of one row, in column order. `now` is the server clock in ms, for ages. */
  row(obj: T, now: number): unknown[];
}

export interface SubresourceDef {
  /** e.g. `status`, `scale`, `binding`, `eviction`, `log`, `exec` */
  name: string;
  /** responseKind in discovery */
  group: string;
  version: string;
  kind: string;
  verbs: readonly string[];
}

/** Both directions of a version conversion, on plain JSON objects (apiVersion included). */
export interface KindConversion {
  toStorage(obj: AnyObject): AnyObject;
  fromStorage(obj: AnyObject): AnyObject;
}

export interface KindDef<T extends KubeObject = AnyObject> {
  group: string; // '' for core
  version: string; // 'v1'
  kind: string; // 'Deployment'
  listKind: string; // 'DeploymentList'
  plural: string; // 'deployments'
  singular: string; // 'deployment'
  shortNames: readonly string[];
  categories: readonly string[];
  namespaced: boolean;
  verbs: readonly string[];
  /** Definition name in the schema registry, e.g. `io.k8s.api.apps.v1.Deployment`. */
  schema: string;
  subresources: readonly SubresourceDef[];
  /** True when metadata.generation tracks spec changes (Deployments, ...). */
  generation: boolean;
  /** True when the main resource ignores status on create/update (a status subresource exists). */
  hasStatus: boolean;
  /**
   * Fill upstream defaults in place (after decode, before validation), on create and on update.
   * Shared defaults (metadata) are applied by the API server; this covers the kind's own fields.
   */
  defaults?(obj: UnvalidatedObject<T>): void;
  /**
   * Kind-specific validation (metadata name/label/annotation rules and schema type checks are shared).
   * `old` is set on update; immutable-field rules compare against it.
   */
  validate?(obj: UnvalidatedObject<T>, old: UnvalidatedObject<T> | undefined): FieldError[];
  /** Validation of a status-subresource update. */
  validateStatus?(obj: UnvalidatedObject<T>, old: UnvalidatedObject<T>): FieldError[];
  /** Name rule for metadata.name: 'dns1123-subdomain' (default), 'dns1123-label', 'dns1035-label' (Services), 'path-segment'. */
  nameRule?: 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment';
  /** Server-side printing (kubectl get). */
  table: TableDef<UnvalidatedObject<T>>;
  /**
   * The version objects of this kind are stored at, when the kind is served at several versions of
   * one group (custom resources). Reads at `version` return the stored object with only apiVersion
   * rewritten, writes store it at `storageVersion` (the `None` conversion strategy). Unset: objects
   * are stored at `version`, as every built-in kind is.
   */
  storageVersion?: string;
  /**
   * A real conversion between this version and `storageVersion` (a built-in kind served at two
   * versions, e.g. autoscaling/v1 and v2 HorizontalPodAutoscalers): objects are converted on every
   * write and read. Unset with storageVersion: only apiVersion changes (the `None` strategy).
   */
  conversion?: KindConversion;
  /**
   * Objects read from storage go through `defaults` too (custom resources: pruning and schema
   * defaults by the current schema, as upstream applies them on read). Only with storageVersion.
   */
  defaultOnRead?: boolean;
  /** Sent as a `Warning` on every request to this version (a CRD version marked deprecated). */
  deprecationWarning?: string;
  /**
   * Where the scale subresource reads and writes replicas, as simple JSON paths (`.spec.replicas`);
   * unset: `.spec.replicas`, `.status.replicas` and `.spec.selector` (a LabelSelector), as
   * Deployments and ReplicaSets have them. A custom resource's labelSelectorPath names a string.
   */
  scalePaths?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  /**
   * Field selectors beyond `metadata.name` and `metadata.namespace` (always supported):
   * field path -> its value as a string for an object.
   */
  fieldSelectors?: Readonly<Record<string, (obj: UnvalidatedObject<T>) => string>>;
}
