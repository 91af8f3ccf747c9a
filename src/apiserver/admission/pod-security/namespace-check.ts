// Pod Security on namespace writes: labels with an unknown level or version are refused (422 naming
// the label), and a namespace that starts enforcing a stricter policy gets warnings about the pods
// already in it that would violate it (grouped by reason, at most 3000 pods looked at for at most
// one second, as upstream), since those pods keep running.

import type { Pod } from '../../../api/gen/types.js';
import { invalid, type FieldError } from '../../../base/errors.js';
import type { Evaluator } from './evaluator.js';
import {
  compareLevels,
  equivalentPolicies,
  formatLevelVersion,
  fullyPrivileged,
  levelLabel,
  MODES,
  policyFromLabels,
  sameLevelVersion,
  sameVersion,
  versionLabel,
  type LevelVersion,
  type Policy,
} from './levels.js';

export interface NamespaceCheckDeps {
  evaluator: Evaluator;
  defaults: Policy;
  exemptNamespace(name: string): boolean;
  exemptRuntimeClass(name: string | undefined): boolean;
  listPods(namespace: string): Promise<Pod[]>;
  maxPodsToCheck: number;
  podCheckTimeoutMs: number;
  now(): number;
}

type Labels = Readonly<Record<string, string>> | undefined;

const sameErrors = (a: FieldError[], b: FieldError[]) => JSON.stringify(a) === JSON.stringify(b);

/** Returns the warnings of a namespace create or update; throws 422 for bad labels. */
export async function checkNamespaceWrite(
  d: NamespaceCheckDeps,
  name: string,
  labels: Labels,
  oldLabels: Labels | null,
): Promise<string[]> {
  const { policy, errors } = policyFromLabels(labels, d.defaults);
  if (oldLabels === null) {
    if (errors.length) throw invalid('Namespace', '', name, errors);
    return d.exemptNamespace(name) ? exemptWarning(d.defaults, name, policy, labels) : [];
  }
  const old = policyFromLabels(oldLabels, d.defaults);
  // labels that were already invalid and did not change stay writable (other fields may change)
  if (errors.length && (!old.errors.length || !sameErrors(errors, old.errors))) throw invalid('Namespace', '', name, errors);
  const next = policy.enforce;
  const prev = old.policy.enforce;
  if (sameLevelVersion(next, prev) || next.level === 'privileged') return [];
  if (sameVersion(next.version, prev.version) && compareLevels(next.level, prev.level) < 1) return [];
  if (d.exemptNamespace(name)) return exemptWarning(d.defaults, name, policy, labels);
  return podsViolating(d, name, next);
}

function exemptWarning(defaults: Policy, name: string, p: Policy, labels: Labels): string[] {
  if (fullyPrivileged(p) || equivalentPolicies(p, defaults)) return [];
  const set = MODES.filter(
    (m) => p[m].level !== 'privileged' && (labels?.[levelLabel(m)] !== undefined || labels?.[versionLabel(m)] !== undefined),
  );
  const text = set.map((m) => `${m}=${formatLevelVersion(p[m])}`).join(', ');
  return [`namespace "${name}" is exempt from Pod Security, and the policy (${text}) will be ignored`];
}

/** Pods not exempt by runtime class; one per controller first, so a big ReplicaSet does not hide the rest. */
function prioritize(d: NamespaceCheckDeps, pods: Pod[]): Pod[] {
  const first: Pod[] = [];
  const later: Pod[] = [];
  const seen = new Set<string>();
  for (const p of pods) {
    if (d.exemptRuntimeClass(p.spec?.runtimeClassName)) continue;
    const owner = p.metadata.ownerReferences?.find((o) => o.controller === true);
    if (!owner) first.push(p);
    else if (seen.has(owner.uid)) later.push(p);
    else {
      seen.add(owner.uid);
      first.push(p);
    }
  }
  return [...first, ...later];
}

async function podsViolating(d: NamespaceCheckDeps, namespace: string, enforce: LevelVersion): Promise<string[]> {
  let pods: Pod[];
  try {
    pods = prioritize(d, await d.listPods(namespace));
  } catch {
    return ['failed to list pods while checking new PodSecurity enforce level'];
  }
  const deadline = d.now() + d.podCheckTimeoutMs;
  const total = pods.length;
  const limited = pods.slice(0, d.maxPodsToCheck);
  let checked = limited.length;
  const byReason = new Map<string, { first: string; count: number }>();
  for (let i = 0; i < limited.length; i++) {
    const pod = limited[i]!;
    const e = d.evaluator.evaluate(enforce, pod.metadata, pod.spec ?? { containers: [] });
    if (!e.allowed) {
      const reason = e.reasons.join(', ');
      const name = pod.metadata.name ?? '';
      const c = byReason.get(reason);
      if (!c) byReason.set(reason, { first: name, count: 1 });
      else {
        c.count++;
        if (name < c.first) c.first = name;
      }
    }
    if (d.now() > deadline) {
      checked = i + 1;
      break;
    }
  }
  const warnings: string[] = [];
  if (checked < total) warnings.push(`new PodSecurity enforce level only checked against the first ${checked} of ${total} existing pods`);
  if (byReason.size) {
    warnings.push(`existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${formatLevelVersion(enforce)}"`);
  }
  const perReason = [...byReason].map(([reason, { first, count }]) => {
    const others = count === 1 ? '' : count === 2 ? ' (and 1 other pod)' : ` (and ${count - 1} other pods)`;
    return `${first}${others}: ${reason}`;
  });
  return [...warnings, ...perReason.sort()];
}
