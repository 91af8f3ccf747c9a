// Linux capabilities: baseline forbids adding any beyond the container runtimes' default set;
// restricted (from v1.22, replacing the baseline check) requires dropping ALL and adding at most
// NET_BIND_SERVICE, and from v1.25 leaves Windows pods alone (they cannot set capabilities).

import type { PodSpec } from '../../../api/gen/types.js';
import type { Check, CheckFn } from './check.js';
import { ALLOWED, allContainers, containersText, forbid, isWindowsPod, joinQuote, sortedSet } from './check.js';
import { v1 } from './levels.js';

const CAPABILITIES_BASELINE = 'capabilities_baseline';

const DEFAULT_SET = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

export const capabilitiesBaseline: Check = {
  id: CAPABILITIES_BASELINE,
  level: 'baseline',
  versions: [
    {
      minimumVersion: v1(0),
      check: (_meta, spec) => {
        const bad: string[] = [];
        const added: string[] = [];
        for (const c of allContainers(spec)) {
          const extra = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !DEFAULT_SET.has(cap));
          if (extra.length) bad.push(c.name);
          added.push(...extra);
        }
        if (!bad.length) return ALLOWED;
        return forbid(
          'non-default capabilities',
          `${containersText(bad)} must not include ${joinQuote(sortedSet(added))} in securityContext.capabilities.add`,
        );
      },
    },
  ],
};

function restricted(spec: PodSpec) {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbidden: string[] = [];
  for (const c of allContainers(spec)) {
    const caps = c.securityContext?.capabilities;
    if (caps == null) {
      missingDropAll.push(c.name);
      continue;
    }
    if (!(caps.drop ?? []).includes('ALL')) missingDropAll.push(c.name);
    const extra = (caps.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (extra.length) addingForbidden.push(c.name);
    forbidden.push(...extra);
  }
  const details: string[] = [];
  if (missingDropAll.length) details.push(`${containersText(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (addingForbidden.length)
    details.push(
      `${containersText(addingForbidden)} must not include ${joinQuote(sortedSet(forbidden))} in securityContext.capabilities.add`,
    );
  return details.length ? forbid('unrestricted capabilities', details.join('; ')) : ALLOWED;
}

const restricted1_22: CheckFn = (_meta, spec) => restricted(spec);
const restricted1_25: CheckFn = (_meta, spec) => (isWindowsPod(spec) ? ALLOWED : restricted(spec));

export const capabilitiesRestricted: Check = {
  id: 'capabilities_restricted',
  level: 'restricted',
  versions: [
    { minimumVersion: v1(22), check: restricted1_22, overrides: [CAPABILITIES_BASELINE] },
    { minimumVersion: v1(25), check: restricted1_25, overrides: [CAPABILITIES_BASELINE] },
  ],
};
