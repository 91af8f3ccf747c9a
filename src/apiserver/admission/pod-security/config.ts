// The server's Pod Security settings as the command line gives them: the cluster-wide default
// policy (`--pod-security-default enforce=baseline,warn=restricted:v1.30`) and the exemptions
// (`--pod-security-exempt namespace=NS|user=NAME|runtimeClass=NAME`, upstream's
// PodSecurityConfiguration exemptions). Bad input is an error naming the flag and the rule.

import { LATEST, LEVEL_RULE, MODES, parseLevel, parseVersion, privilegedLatest, VERSION_RULE, type Mode, type Policy } from './levels.js';
import type { PodSecurityExemptions } from './plugin.js';

/**
 * The cluster-wide default of `--pod-security-default`: `MODE=LEVEL[:VERSION]` pairs separated by
 * commas (`enforce=baseline,warn=restricted:v1.30`); modes left out stay privileged:latest.
 */
export function parseDefaultPolicy(spec: string): Policy {
  const p: Policy = { enforce: privilegedLatest(), audit: privilegedLatest(), warn: privilegedLatest() };
  const seen = new Set<string>();
  for (const part of spec.split(',').map((s) => s.trim())) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const mode = part.slice(0, Math.max(eq, 0)) as Mode;
    if (eq < 0 || !MODES.includes(mode))
      throw new Error(`--pod-security-default: "${part}": expected MODE=LEVEL[:VERSION] with MODE one of ${MODES.join(', ')}`);
    if (seen.has(mode)) throw new Error(`--pod-security-default: ${mode} is given twice`);
    seen.add(mode);
    const [levelText = '', versionText] = part.slice(eq + 1).split(':');
    const level = parseLevel(levelText);
    if (!level) throw new Error(`--pod-security-default: ${mode} level "${levelText}": ${LEVEL_RULE}`);
    const version = versionText === undefined ? LATEST : parseVersion(versionText);
    if (!version) throw new Error(`--pod-security-default: ${mode} version "${versionText ?? ''}": ${VERSION_RULE}`);
    p[mode] = { level, version };
  }
  return p;
}

const EXEMPT_KINDS = { namespace: 'namespaces', user: 'usernames', runtimeClass: 'runtimeClasses' } as const;

/** `--pod-security-exempt` values, each `namespace=NS`, `user=NAME` or `runtimeClass=NAME`. */
export function parseExemptions(items: readonly string[]): PodSecurityExemptions {
  const out = { namespaces: [] as string[], usernames: [] as string[], runtimeClasses: [] as string[] };
  for (const item of items) {
    const eq = item.indexOf('=');
    const kind = item.slice(0, Math.max(eq, 0));
    const value = item.slice(eq + 1).trim();
    if (eq < 0 || !Object.hasOwn(EXEMPT_KINDS, kind) || !value) {
      throw new Error(`--pod-security-exempt "${item}": expected namespace=NAME, user=NAME or runtimeClass=NAME`);
    }
    out[EXEMPT_KINDS[kind as keyof typeof EXEMPT_KINDS]].push(value);
  }
  return out;
}
