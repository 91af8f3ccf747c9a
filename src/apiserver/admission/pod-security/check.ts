// What a Pod Security check is: an id, the level it belongs to, and one function per policy
// version it changed in; plus the small wording helpers every check's message shares, so the
// texts match upstream's word for word ("container" / "containers", `"a", "b"`).

import type { Container, ObjectMeta, PodSpec } from '../../../api/gen/types.js';
import type { NumberedVersion } from './levels.js';

export interface CheckResult {
  allowed: boolean;
  /** short reason, e.g. `runAsNonRoot != true` */
  reason?: string;
  /** which fields of what, e.g. `pod or container "c" must set securityContext.runAsNonRoot=true` */
  detail?: string;
}

export type CheckFn = (meta: ObjectMeta, spec: PodSpec) => CheckResult;

interface VersionedCheck {
  /** the first policy version this behaviour applies to */
  minimumVersion: NumberedVersion;
  check: CheckFn;
  /** baseline checks this (restricted) check replaces at the restricted level */
  overrides?: readonly string[];
}

export interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  /** strictly increasing minimum versions */
  versions: readonly VersionedCheck[];
}

export const ALLOWED: CheckResult = { allowed: true };
export const forbid = (reason: string, detail: string): CheckResult => ({ allowed: false, reason, detail });

export const joinQuote = (items: readonly string[]) => (items.length ? `"${items.join('", "')}"` : '');
export const pluralize = (singular: string, plural: string, n: number) => (n === 1 ? singular : plural);
/** `container "a"` / `containers "a", "b"` */
export const containersText = (names: readonly string[]) => `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
/** Unique and sorted, as upstream's string sets list their members. */
export const sortedSet = (items: Iterable<string>) => [...new Set(items)].sort();

/** Init containers, containers, then ephemeral containers: the order names appear in messages. */
export function allContainers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...((spec.ephemeralContainers ?? []) as Container[])];
}

export const isWindowsPod = (spec: PodSpec) => spec.os?.name === 'windows';

/** The setters of a bad value: `pod and containers "a", "b"`. */
export function settersText(pod: boolean, containers: readonly string[]): string {
  const parts = pod ? ['pod'] : [];
  if (containers.length) parts.push(containersText(containers));
  return parts.join(' and ');
}
