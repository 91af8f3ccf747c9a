// The in-memory copy of every Role, ClusterRole, RoleBinding and ClusterRoleBinding the authorizer
// reads, with bindings indexed by subject (a user name, a group; a ServiceAccount as its user name)
// and by scope (the binding's namespace, '' for ClusterRoleBindings), so that finding the bindings of
// one request's user touches only those that can apply. `generation` changes with every change, so
// that callers can cache what they derive from it. It is fed by policy-feed.ts.

import type { ClusterRole, PolicyRule, Role, RoleRef, Subject } from '../../../api/gen/types.js';
import type { UserInfo } from '../user.js';
import { serviceAccountUserName } from '../user.js';

/** Every RBAC object lives under this storage prefix (one list and one watch feed the index). */
export const RBAC_PREFIX = '/registry/rbac.authorization.k8s.io/';

export interface BindingEntry {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  /** '' for a ClusterRoleBinding */
  namespace: string;
  name: string;
  roleRef: RoleRef;
  subjects: Subject[];
}

interface StoredRbacObject {
  metadata?: { name?: string; namespace?: string };
  rules?: PolicyRule[];
  roleRef?: RoleRef;
  subjects?: Subject[];
}

/** The index key of a subject: `u:` user names (ServiceAccounts included), `g:` groups. */
function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  if (s.kind === 'User') return `u:${s.name}`;
  if (s.kind === 'Group') return `g:${s.name}`;
  if (s.kind === 'ServiceAccount') {
    const ns = s.namespace || bindingNamespace;
    return ns ? `u:${serviceAccountUserName(ns, s.name)}` : undefined;
  }
  return undefined;
}

export class PolicyIndex {
  private readonly roles = new Map<string, Role>();
  private readonly clusterRoles = new Map<string, ClusterRole>();
  private readonly bindings = new Map<string, BindingEntry>();
  /** scope ('' or a namespace) -> subject key -> bindings */
  private readonly bySubject = new Map<string, Map<string, Set<BindingEntry>>>();
  /** changes with every applied change */
  generation = 0;
  /** the store revision the index reflects */
  revision = 0;
  private readonly listeners = new Set<() => void>();

  /** Called after every change (caches drop what they derived). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  role(namespace: string, name: string): Role | undefined {
    return this.roles.get(`${namespace}/${name}`);
  }

  clusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.get(name);
  }

  /** The rules a roleRef names, or the error upstream reports when the role is missing. */
  roleRules(ref: RoleRef, bindingNamespace: string): { rules: PolicyRule[] } | { error: string } {
    if (ref.kind === 'ClusterRole') {
      const r = this.clusterRoles.get(ref.name);
      return r ? { rules: r.rules ?? [] } : { error: `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
    }
    if (ref.kind === 'Role') {
      const r = this.roles.get(`${bindingNamespace}/${ref.name}`);
      return r ? { rules: r.rules ?? [] } : { error: `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
    }
    return { error: `unsupported role reference kind: ${JSON.stringify(ref.kind)}` };
  }

  /** Bindings in `scope` ('' = ClusterRoleBindings) that may name the user, sorted by name. */
  bindingsFor(user: UserInfo, scope: string): BindingEntry[] {
    const m = this.bySubject.get(scope);
    if (!m) return [];
    const found = new Set<BindingEntry>();
    for (const b of m.get(`u:${user.name}`) ?? []) found.add(b);
    for (const g of user.groups) for (const b of m.get(`g:${g}`) ?? []) found.add(b);
    return [...found].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  }

  /** Applies one stored object (value) or its deletion (undefined) at `key`. */
  apply(key: string, value: string | undefined, revision: number): void {
    this.applyOne(key, value);
    this.revision = Math.max(this.revision, revision);
    this.changed();
  }

  /** Replaces the whole content (a fresh list after a watch ended). */
  replaceAll(items: ReadonlyArray<{ key: string; value: string }>, revision: number): void {
    this.roles.clear();
    this.clusterRoles.clear();
    this.bindings.clear();
    this.bySubject.clear();
    for (const kv of items) this.applyOne(kv.key, kv.value);
    this.revision = revision;
    this.changed();
  }

  private changed(): void {
    this.generation++;
    for (const fn of this.listeners) fn();
  }

  private applyOne(key: string, value: string | undefined): void {
    if (!key.startsWith(RBAC_PREFIX)) return;
    const parts = key.slice(RBAC_PREFIX.length).split('/');
    const plural = parts[0];
    const namespaced = plural === 'roles' || plural === 'rolebindings';
    const namespace = namespaced ? (parts[1] ?? '') : '';
    const name = (namespaced ? parts[2] : parts[1]) ?? '';
    let obj: StoredRbacObject | undefined;
    if (value !== undefined) {
      try {
        obj = JSON.parse(value) as StoredRbacObject;
      } catch {
        obj = undefined; // a value the API server did not write: treated as absent
      }
    }
    switch (plural) {
      case 'roles':
        if (obj) this.roles.set(`${namespace}/${name}`, obj as Role);
        else this.roles.delete(`${namespace}/${name}`);
        return;
      case 'clusterroles':
        if (obj) this.clusterRoles.set(name, obj as ClusterRole);
        else this.clusterRoles.delete(name);
        return;
      case 'rolebindings':
      case 'clusterrolebindings':
        this.removeBinding(key);
        if (obj?.roleRef) {
          const kind = plural === 'rolebindings' ? 'RoleBinding' : 'ClusterRoleBinding';
          this.addBinding(key, { kind, namespace, name, roleRef: obj.roleRef, subjects: obj.subjects ?? [] });
        }
        return;
      default:
        return;
    }
  }

  private addBinding(key: string, b: BindingEntry): void {
    this.bindings.set(key, b);
    let m = this.bySubject.get(b.namespace);
    if (!m) this.bySubject.set(b.namespace, (m = new Map()));
    for (const s of b.subjects) {
      const k = subjectKey(s, b.namespace);
      if (k === undefined) continue;
      let set = m.get(k);
      if (!set) m.set(k, (set = new Set()));
      set.add(b);
    }
  }

  private removeBinding(key: string): void {
    const b = this.bindings.get(key);
    if (!b) return;
    this.bindings.delete(key);
    const m = this.bySubject.get(b.namespace);
    if (!m) return;
    for (const s of b.subjects) {
      const k = subjectKey(s, b.namespace);
      const set = k === undefined ? undefined : m.get(k);
      if (!set || k === undefined) continue;
      set.delete(b);
      if (set.size === 0) m.delete(k);
    }
    if (m.size === 0) this.bySubject.delete(b.namespace);
  }
}
