// Pod Security levels, policy versions and the namespace labels that choose them
// (pod-security.kubernetes.io/enforce|audit|warn and their -version labels), with upstream's
// parsing rules and error texts: an unknown enforce level is an error that also fails closed
// (restricted), unknown audit/warn levels fail open (privileged).

import type { FieldError } from '../../../base/errors.js';

export type Level = 'privileged' | 'baseline' | 'restricted';
const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];

/** A policy version: `v1.<minor>`, or latest (newer than every numbered version, even future ones). */
export type NumberedVersion = { latest: false; minor: number };
export type Version = { latest: true } | NumberedVersion;
export const LATEST: Version = { latest: true };
export const v1 = (minor: number): NumberedVersion => ({ latest: false, minor });

export interface LevelVersion {
  level: Level;
  version: Version;
}

export interface Policy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

export type Mode = keyof Policy;
export const MODES: readonly Mode[] = ['enforce', 'audit', 'warn'];

const PREFIX = 'pod-security.kubernetes.io/';
export const levelLabel = (m: Mode) => `${PREFIX}${m}`;
export const versionLabel = (m: Mode) => `${PREFIX}${m}-version`;

const formatVersion = (v: Version) => (v.latest ? 'latest' : `v1.${v.minor}`);
export const formatLevelVersion = (lv: LevelVersion) => `${lv.level}:${formatVersion(lv.version)}`;

export const sameVersion = (a: Version, b: Version) => formatVersion(a) === formatVersion(b);
export const sameLevelVersion = (a: LevelVersion, b: LevelVersion) => a.level === b.level && sameVersion(a.version, b.version);

/** -1, 0 or 1 as `a` is less, equally or more restrictive than `b`. */
export function compareLevels(a: Level, b: Level): number {
  return Math.sign(LEVELS.indexOf(a) - LEVELS.indexOf(b));
}

export function parseLevel(text: string): Level | undefined {
  return (LEVELS as readonly string[]).includes(text) ? (text as Level) : undefined;
}

export function parseVersion(text: string): Version | undefined {
  if (text === 'latest') return LATEST;
  const m = /^v1\.(0|[1-9][0-9]*)$/.exec(text);
  return m ? v1(Number(m[1])) : undefined;
}

export const LEVEL_RULE = `must be one of ${LEVELS.join(', ')}`;
export const VERSION_RULE = 'must be "latest" or "v1.x"';

export const privilegedLatest = (): LevelVersion => ({ level: 'privileged', version: LATEST });
export const PRIVILEGED_POLICY: Policy = { enforce: privilegedLatest(), audit: privilegedLatest(), warn: privilegedLatest() };

export const fullyPrivileged = (p: Policy) => MODES.every((m) => p[m].level === 'privileged');

/** Two policies that evaluate alike (every privileged level is equivalent, whatever its version). */
export function equivalentPolicies(a: Policy, b: Policy): boolean {
  return MODES.every((m) => (a[m].level === 'privileged' && b[m].level === 'privileged') || sameLevelVersion(a[m], b[m]));
}

/**
 * The policy a namespace's labels select over the cluster defaults, and the label errors. As
 * upstream: warn follows a stricter enforce level (and its version) unless warn is labelled itself.
 */
export function policyFromLabels(
  labels: Readonly<Record<string, string>> | undefined,
  defaults: Policy,
): { policy: Policy; errors: FieldError[] } {
  const p: Policy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  const errors: FieldError[] = [];
  if (!labels) return { policy: p, errors };
  const bad = (label: string, value: string, detail: string) =>
    errors.push({ type: 'FieldValueInvalid', field: `metadata.labels[${label}]`, value, detail });
  let enforceLabelled = false;
  for (const m of MODES) {
    const levelText = labels[levelLabel(m)];
    if (levelText !== undefined) {
      const level = parseLevel(levelText);
      if (level) p[m].level = level;
      else {
        bad(levelLabel(m), levelText, LEVEL_RULE);
        p[m].level = m === 'enforce' ? 'restricted' : 'privileged';
      }
      if (m === 'enforce') enforceLabelled = level !== undefined;
    }
    const versionText = labels[versionLabel(m)];
    if (versionText !== undefined) {
      const version = parseVersion(versionText);
      if (!version) bad(versionLabel(m), versionText, VERSION_RULE);
      p[m].version = version ?? LATEST;
    }
  }
  if (labels[levelLabel('warn')] === undefined && enforceLabelled && compareLevels(p.enforce.level, p.warn.level) > 0) {
    p.warn.level = p.enforce.level;
    if (labels[versionLabel('warn')] === undefined) p.warn.version = p.enforce.version;
  }
  return { policy: p, errors };
}
