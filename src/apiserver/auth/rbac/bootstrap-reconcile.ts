// Puts the default policy in place at server start, through the API as any client would, the way
// upstream's auto-reconciliation does: a missing object is created; an existing one is topped up
// (labels, annotations, rules it lacks, subjects it lacks, aggregation selectors it lacks) unless it
// is annotated rbac.authorization.kubernetes.io/autoupdate=false; nothing a user added is removed.
// A binding whose roleRef differs is re-created (roleRef cannot change in place).

import type { ClusterRole, PolicyRule, Role, RoleBinding, Subject } from '../../../api/gen/types.js';
import type { KubeObject } from '../../../api/object.js';
import { clusterRoleBindingKind, roleBindingKind } from '../../../api/kinds/rbac/binding.js';
import { clusterRoleKind, roleKind } from '../../../api/kinds/rbac/role.js';
import { jsonEqual } from '../../../api/validation/index.js';
import { StatusError } from '../../../base/errors.js';
import type { ResourceClient } from '../../../client/resource.js';
import type { RestClient } from '../../../client/rest-client.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles, bootstrapRoleBindings, bootstrapRoles } from './bootstrap-policy.js';
import { missingRules } from './covers.js';
import { AUTOUPDATE_ANNOTATION } from './policy-builders.js';

export interface ReconcileResult {
  created: string[];
  updated: string[];
}

type RoleLike = ClusterRole | Role;
type BindingLike = RoleBinding;

const protectedObj = (o: KubeObject) => o.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false';

/** Adds what `want`'s labels and annotations have that `have` lacks; true when something was added. */
function mergeMeta(have: KubeObject, want: KubeObject): boolean {
  let changed = false;
  for (const field of ['labels', 'annotations'] as const) {
    const add = want.metadata[field] ?? {};
    const cur = { ...have.metadata[field] };
    for (const [k, v] of Object.entries(add)) {
      if (cur[k] === undefined) {
        cur[k] = v;
        changed = true;
      }
    }
    have.metadata[field] = cur;
  }
  return changed;
}

function reconcileRole(have: RoleLike, want: RoleLike): boolean {
  let changed = mergeMeta(have, want);
  const held: PolicyRule[] = have.rules ?? [];
  const add = (want.rules ?? []).filter((r) => missingRules(held, [r]).length > 0);
  if (add.length) {
    have.rules = [...held, ...add];
    changed = true;
  }
  const wantAgg = (want as ClusterRole).aggregationRule;
  if (wantAgg) {
    const h = have as ClusterRole;
    const sels = [...(h.aggregationRule?.clusterRoleSelectors ?? [])];
    for (const s of wantAgg.clusterRoleSelectors ?? []) {
      if (!sels.some((x) => jsonEqual(x, s))) {
        sels.push(s);
        changed = true;
      }
    }
    h.aggregationRule = { clusterRoleSelectors: sels };
  }
  return changed;
}

const sameSubject = (a: Subject, b: Subject) => a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');

function reconcileBinding(have: BindingLike, want: BindingLike): boolean {
  let changed = mergeMeta(have, want);
  const subjects = [...(have.subjects ?? [])];
  for (const s of want.subjects ?? []) {
    if (!subjects.some((x) => sameSubject(x, s))) {
      subjects.push(s);
      changed = true;
    }
  }
  if (subjects.length) have.subjects = subjects;
  return changed;
}

async function ensure<T extends KubeObject>(
  api: ResourceClient<T>,
  want: T,
  merge: (have: T, want: T) => boolean,
  out: ReconcileResult,
  recreate?: (have: T) => boolean,
): Promise<void> {
  const name = want.metadata.name ?? '';
  const label = `${want.kind}/${want.metadata.namespace ? `${want.metadata.namespace}/` : ''}${name}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const have = await api.getOrUndefined(name);
      if (!have) {
        await api.create(structuredClone(want));
        out.created.push(label);
        return;
      }
      if (protectedObj(have)) return;
      if (recreate?.(have)) {
        await api.delete(name);
        continue;
      }
      if (!merge(have, structuredClone(want))) return;
      await api.update(have);
      out.updated.push(label);
      return;
    } catch (e) {
      // another server reconciled meanwhile: read again
      if (e instanceof StatusError && (e.code === 409 || e.code === 404) && attempt < 4) continue;
      throw e;
    }
  }
}

/** Creates or tops up every default Role, ClusterRole and binding; resolves with what it wrote. */
export async function reconcileBootstrapPolicy(client: RestClient): Promise<ReconcileResult> {
  const out: ReconcileResult = { created: [], updated: [] };
  const roleRefDiffers = (want: BindingLike) => (have: BindingLike) => !jsonEqual(have.roleRef, want.roleRef);
  for (const r of bootstrapClusterRoles()) await ensure(client.resource(clusterRoleKind), r, reconcileRole, out);
  for (const b of bootstrapClusterRoleBindings())
    await ensure(client.resource(clusterRoleBindingKind), b, reconcileBinding, out, roleRefDiffers(b));
  for (const r of bootstrapRoles()) await ensure(client.resource(roleKind).namespace(r.metadata.namespace ?? ''), r, reconcileRole, out);
  for (const b of bootstrapRoleBindings()) {
    await ensure(client.resource(roleBindingKind).namespace(b.metadata.namespace ?? ''), b, reconcileBinding, out, roleRefDiffers(b));
  }
  return out;
}
