// Escalation prevention (upstream's RBAC storage checks, run here as an admission plugin): a user may
// write a Role or ClusterRole only with rules they already hold (or when allowed to `escalate` roles),
// and a binding only to a role whose rules they hold (or when allowed to `bind` it). An aggregationRule
// can gather anything, so setting one needs every permission. Members of system:masters hold
// everything and skip the check, as upstream's privileged loopback does.

import type { ClusterRole, PolicyRule, RoleRef } from '../../../api/gen/types.js';
import { jsonEqual } from '../../../api/validation/index.js';
import { StatusError } from '../../../base/errors.js';
import type { AdmissionPlugin, AdmissionRequest } from '../../admission/plugin.js';
import type { Authorizer, ResolvedRules, RuleResolver } from '../authorizer.js';
import type { UserInfo } from '../user.js';
import { compactRules, compactString, goQuotedList, missingRules } from './covers.js';
import type { PolicyIndex } from './policy-index.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

export interface EscalationOptions {
  /** the server's whole authorizer chain (asked about `escalate` and `bind`) */
  authorizer: Authorizer;
  resolver: RuleResolver;
  /** where a binding's role is looked up */
  index: PolicyIndex;
}

function heldRules(r: ResolvedRules): PolicyRule[] {
  return [
    ...r.resourceRules.map((x) => ({
      verbs: x.verbs,
      apiGroups: x.apiGroups,
      resources: x.resources,
      ...(x.resourceNames ? { resourceNames: x.resourceNames } : {}),
    })),
    ...r.nonResourceRules.map((x) => ({ verbs: x.verbs, nonResourceURLs: x.nonResourceURLs })),
  ];
}

function forbidden(r: AdmissionRequest, message: string): StatusError {
  const gr = `${r.kind.plural}.${RBAC_GROUP}`;
  return new StatusError(403, 'Forbidden', `${gr} ${JSON.stringify(r.name)} is forbidden: ${message}`, {
    name: r.name,
    group: RBAC_GROUP,
    kind: r.kind.plural,
  });
}

/** Upstream's ConfirmNoEscalation: the text of what the user lacks, or undefined when they hold it all. */
async function lacking(
  resolver: RuleResolver,
  user: UserInfo,
  namespace: string,
  wanted: readonly PolicyRule[],
): Promise<string | undefined> {
  const held = await resolver.rulesFor(user, namespace);
  const missing = missingRules(heldRules(held), wanted);
  if (missing.length === 0) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.name)} (groups=${goQuotedList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (held.evaluationError) msg += `; resolution errors: [${held.evaluationError}]`;
  return msg;
}

export function createEscalationPlugin(o: EscalationOptions): AdmissionPlugin {
  const allowed = async (user: UserInfo, verb: string, resource: string, namespace: string, name: string) =>
    (
      await o.authorizer.authorize({
        user,
        verb,
        resourceRequest: true,
        path: '',
        apiGroup: RBAC_GROUP,
        apiVersion: '*',
        resource,
        subresource: '',
        namespace,
        name,
      })
    ).decision === 'allow';

  async function checkRole(r: AdmissionRequest): Promise<void> {
    const obj = r.object as ClusterRole;
    const old = r.oldObject as ClusterRole | undefined;
    // an update that leaves rules and aggregation alone grants nothing new
    if (old && jsonEqual(obj.rules, old.rules) && jsonEqual(obj.aggregationRule, old.aggregationRule)) return;
    const ns = r.namespace ?? '';
    if (await allowed(r.user, 'escalate', r.kind.plural, ns, r.operation === 'UPDATE' ? r.name : '')) return;
    const msg = await lacking(o.resolver, r.user, ns, obj.rules ?? []);
    if (msg) throw forbidden(r, msg);
    if (r.kind.kind === 'ClusterRole' && (obj.aggregationRule || old?.aggregationRule)) {
      if (await lacking(o.resolver, r.user, '', FULL_AUTHORITY))
        throw forbidden(r, 'must have cluster-admin privileges to use the aggregationRule');
    }
  }

  async function checkBinding(r: AdmissionRequest): Promise<void> {
    const obj = r.object as { roleRef?: RoleRef; subjects?: unknown };
    const old = r.oldObject as { roleRef?: RoleRef; subjects?: unknown } | undefined;
    if (old && jsonEqual(obj.subjects, old.subjects) && jsonEqual(obj.roleRef, old.roleRef)) return;
    const ref = obj.roleRef;
    if (!ref) return;
    const ns = r.namespace ?? '';
    if (await allowed(r.user, 'bind', ref.kind === 'Role' ? 'roles' : 'clusterroles', ns, ref.name)) return;
    const got = o.index.roleRules(ref, ns);
    if ('error' in got) throw forbidden(r, got.error);
    const msg = await lacking(o.resolver, r.user, ns, got.rules);
    if (msg) throw forbidden(r, msg);
  }

  return {
    name: 'RBACEscalation',
    async validate(r) {
      if (r.operation === 'DELETE' || r.kind.group !== RBAC_GROUP || r.subresource) return;
      if (r.user.groups.includes('system:masters')) return;
      if (r.kind.kind === 'Role' || r.kind.kind === 'ClusterRole') await checkRole(r);
      else if (r.kind.kind === 'RoleBinding' || r.kind.kind === 'ClusterRoleBinding') await checkBinding(r);
    },
  };
}
