// Evaluates a pod (or a workload's pod template) against a level and version: picks, for each
// check, the behaviour of the newest version not newer than the one asked for (versions past the
// newest check, and latest, mean the newest), lets restricted checks replace the baseline checks
// they override, and runs them in upstream's order (baseline ids sorted, then restricted ids sorted)
// so messages list reasons in the same order.

import type { ObjectMeta, PodSpec } from '../../../api/gen/types.js';
import type { Check, CheckFn, CheckResult } from './check.js';
import { capabilitiesBaseline, capabilitiesRestricted } from './checks-capabilities.js';
import { hostNamespaces, hostPathVolumes, hostPorts, privileged, windowsHostProcess } from './checks-host.js';
import { appArmorProfile, procMount, seccompProfileBaseline, seLinuxOptions, sysctls } from './checks-profiles.js';
import { allowPrivilegeEscalation, restrictedVolumes, runAsNonRoot, runAsUser, seccompProfileRestricted } from './checks-restricted.js';
import { formatLevelVersion, type LevelVersion } from './levels.js';

const ALL_CHECKS: readonly Check[] = [
  appArmorProfile,
  capabilitiesBaseline,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  privileged,
  procMount,
  seLinuxOptions,
  seccompProfileBaseline,
  sysctls,
  windowsHostProcess,
  allowPrivilegeEscalation,
  capabilitiesRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seccompProfileRestricted,
];

/** The failed checks of one evaluation, in order. */
export interface Evaluation {
  allowed: boolean;
  reasons: string[];
  details: string[];
}

export interface Evaluator {
  evaluate(lv: LevelVersion, meta: ObjectMeta, spec: PodSpec): Evaluation;
  /** the newest policy version any check changed in (what latest means) */
  readonly newestMinor: number;
}

const byId = (a: Check, b: Check) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function createEvaluator(checks: readonly Check[] = ALL_CHECKS): Evaluator {
  const newestMinor = Math.max(...checks.flatMap((c) => c.versions.map((v) => v.minimumVersion.minor)));
  const ordered = [
    ...checks.filter((c) => c.level === 'baseline').sort(byId),
    ...checks.filter((c) => c.level === 'restricted').sort(byId),
  ];
  const cache = new Map<string, CheckFn[]>();
  const checksFor = (level: 'baseline' | 'restricted', minor: number): CheckFn[] => {
    const key = `${level}:${minor}`;
    let fns = cache.get(key);
    if (fns) return fns;
    const picked = ordered
      .map((c) => ({ c, v: c.versions.filter((v) => v.minimumVersion.minor <= minor).at(-1) }))
      .filter(({ c, v }) => v !== undefined && (level === 'restricted' || c.level === 'baseline'));
    const overridden = new Set(picked.filter(({ c }) => c.level === 'restricted').flatMap(({ v }) => v?.overrides ?? []));
    fns = picked.filter(({ c }) => level === 'baseline' || !overridden.has(c.id)).map(({ v }) => v!.check);
    cache.set(key, fns);
    return fns;
  };
  return {
    newestMinor,
    evaluate(lv, meta, spec) {
      const out: Evaluation = { allowed: true, reasons: [], details: [] };
      if (lv.level === 'privileged') return out;
      const minor = lv.version.latest ? newestMinor : Math.min(lv.version.minor, newestMinor);
      for (const check of checksFor(lv.level, minor)) {
        const r: CheckResult = check(meta, spec);
        if (r.allowed) continue;
        out.allowed = false;
        out.reasons.push(r.reason || 'unknown forbidden reason');
        out.details.push(r.detail ?? '');
      }
      return out;
    },
  };
}

/** `reason (detail), reason (detail)`: the text after `violates PodSecurity "level:version": `. */
export function forbiddenDetail(e: Evaluation): string {
  return e.reasons.map((r, i) => (e.details[i] ? `${r} (${e.details[i]})` : r)).join(', ');
}

/** The warning (and audit) text of a failed evaluation. */
export const wouldViolate = (lv: LevelVersion, e: Evaluation) =>
  `would violate PodSecurity "${formatLevelVersion(lv)}": ${forbiddenDetail(e)}`;
