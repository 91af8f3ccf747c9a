// The PodSecurity admission plugin: the namespace labels pod-security.kubernetes.io/enforce|audit|warn
// (over a cluster-wide default) choose a level and version per mode. A pod that violates the
// enforce policy is refused (403, upstream's text); warn adds `would violate PodSecurity …` warnings
// that kubectl prints; workloads with pod templates are warned, never refused. The audit mode needs
// an audit log to write its annotations to and Tandem has none yet, so audit labels are validated
// and otherwise have no effect.

import type { Pod } from '../../../api/gen/types.js';
import { forbidden } from '../../../base/errors.js';
import type { AdmissionPlugin, AdmissionRequest } from '../plugin.js';
import { createEvaluator, forbiddenDetail, wouldViolate, type Evaluation, type Evaluator } from './evaluator.js';
import { formatLevelVersion, fullyPrivileged, PRIVILEGED_POLICY, policyFromLabels, sameLevelVersion, type Policy } from './levels.js';
import { checkNamespaceWrite } from './namespace-check.js';
import { extractPodParts, hasPodTemplate, isNamespaceKind, isPodKind, isSignificantPodUpdate, type PodParts } from './pod-spec.js';
import type { PodSecuritySource } from './source.js';

/** Who and what Pod Security leaves alone, as upstream's PodSecurityConfiguration exemptions. */
export interface PodSecurityExemptions {
  usernames?: readonly string[];
  namespaces?: readonly string[];
  runtimeClasses?: readonly string[];
}

export interface PodSecurityOptions {
  source: PodSecuritySource;
  /** the policy of namespaces without labels (default privileged:latest for every mode, as upstream) */
  defaults?: Policy;
  exemptions?: PodSecurityExemptions;
  evaluator?: Evaluator;
  now?: () => number;
}

/** Pod subresources that cannot change what the checks see. */
const IGNORED_POD_SUBRESOURCES = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

export function createPodSecurityPlugin(o: PodSecurityOptions): AdmissionPlugin {
  const defaults = o.defaults ?? PRIVILEGED_POLICY;
  const evaluator = o.evaluator ?? createEvaluator();
  const now = o.now ?? Date.now;
  const users = new Set(o.exemptions?.usernames ?? []);
  const namespaces = new Set(o.exemptions?.namespaces ?? []);
  const runtimeClasses = new Set(o.exemptions?.runtimeClasses ?? []);
  const exemptNamespace = (ns: string) => namespaces.has(ns);
  const exemptRuntimeClass = (rc: string | undefined) => rc !== undefined && rc !== '' && runtimeClasses.has(rc);

  async function policyOf(r: AdmissionRequest): Promise<Policy | undefined> {
    const ns = r.namespace ?? '';
    if (exemptNamespace(ns) || users.has(r.user.name)) return undefined;
    const labels = await o.source.namespaceLabels(ns);
    // a missing namespace is the namespace lifecycle check's to refuse (404), after this plugin
    if (labels === undefined) return undefined;
    return policyFromLabels(labels, defaults).policy;
  }

  /** Warn (and enforce, for pods) the policy on one pod or pod template. */
  function evaluate(r: AdmissionRequest, policy: Policy, parts: PodParts, enforce: boolean): void {
    if (exemptRuntimeClass(parts.spec.runtimeClassName)) return;
    let enforced: Evaluation | undefined;
    if (enforce) {
      enforced = evaluator.evaluate(policy.enforce, parts.meta, parts.spec);
      if (!enforced.allowed) {
        throw forbidden(
          `${r.kind.plural} "${r.name}" is forbidden: violates PodSecurity "${formatLevelVersion(policy.enforce)}": ${forbiddenDetail(enforced)}`,
        );
      }
    }
    const warned =
      enforced && sameLevelVersion(policy.warn, policy.enforce) ? enforced : evaluator.evaluate(policy.warn, parts.meta, parts.spec);
    if (!warned.allowed) r.warn(wouldViolate(policy.warn, warned));
  }

  async function validatePod(r: AdmissionRequest): Promise<void> {
    if (r.subresource !== undefined && IGNORED_POD_SUBRESOURCES.has(r.subresource)) return;
    const policy = await policyOf(r);
    if (!policy || fullyPrivileged(policy) || !r.object) return;
    if (r.operation === 'UPDATE' && r.oldObject && !isSignificantPodUpdate(r.object as unknown as Pod, r.oldObject as unknown as Pod))
      return;
    const parts = extractPodParts(r.kind, r.object);
    if (parts) evaluate(r, policy, parts, true);
  }

  async function validateWorkload(r: AdmissionRequest): Promise<void> {
    if (r.subresource !== undefined || !r.object) return;
    const policy = await policyOf(r);
    if (!policy || policy.warn.level === 'privileged') return;
    const parts = extractPodParts(r.kind, r.object);
    if (parts) evaluate(r, policy, parts, false);
  }

  async function validateNamespace(r: AdmissionRequest): Promise<void> {
    if (r.subresource !== undefined || !r.object) return;
    const warnings = await checkNamespaceWrite(
      {
        evaluator,
        defaults,
        exemptNamespace,
        exemptRuntimeClass,
        listPods: (ns) => o.source.listPods(ns),
        maxPodsToCheck: 3000,
        podCheckTimeoutMs: 1000,
        now,
      },
      r.name,
      r.object.metadata.labels,
      r.operation === 'CREATE' ? null : (r.oldObject?.metadata.labels ?? undefined),
    );
    for (const w of warnings) r.warn(w);
  }

  return {
    name: 'PodSecurity',
    async validate(r) {
      if (r.operation !== 'CREATE' && r.operation !== 'UPDATE') return;
      if (isPodKind(r.kind)) return validatePod(r);
      if (isNamespaceKind(r.kind)) return validateNamespace(r);
      if (hasPodTemplate(r.kind)) return validateWorkload(r);
    },
  };
}
