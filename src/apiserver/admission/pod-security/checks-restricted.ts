// The restricted level's own checks: no privilege escalation, non-root users, seccomp required,
// and only volume types that cannot reach the host. From v1.25 a pod with spec.os.name=windows is
// exempt from the Linux-only ones (allowPrivilegeEscalation, seccomp; capabilities in their file):
// the API refuses those fields on Windows pods, so they could never be set.

import type { PodSpec, Volume } from '../../../api/gen/types.js';
import type { Check, CheckFn } from './check.js';
import { ALLOWED, allContainers, containersText, forbid, isWindowsPod, joinQuote, pluralize, settersText, sortedSet } from './check.js';
import { HOST_PATH_VOLUMES } from './checks-host.js';
import { SECCOMP_BASELINE, explicitSeccompViolation, validSeccompType } from './checks-profiles.js';
import { v1 } from './levels.js';

const windowsExempt =
  (check: CheckFn): CheckFn =>
  (meta, spec) =>
    isWindowsPod(spec) ? ALLOWED : check(meta, spec);

const privilegeEscalation: CheckFn = (_meta, spec) => {
  const bad = allContainers(spec)
    .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
    .map((c) => c.name);
  return bad.length
    ? forbid('allowPrivilegeEscalation != false', `${containersText(bad)} must set securityContext.allowPrivilegeEscalation=false`)
    : ALLOWED;
};

export const allowPrivilegeEscalation: Check = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  versions: [
    { minimumVersion: v1(8), check: privilegeEscalation },
    { minimumVersion: v1(25), check: windowsExempt(privilegeEscalation) },
  ],
};

export const runAsNonRoot: Check = {
  id: 'runAsNonRoot',
  level: 'restricted',
  versions: [
    {
      minimumVersion: v1(0),
      check: (_meta, spec) => {
        const podValue = spec.securityContext?.runAsNonRoot;
        const explicit: string[] = [];
        const implicit: string[] = [];
        for (const c of allContainers(spec)) {
          const v = c.securityContext?.runAsNonRoot;
          if (v != null) {
            if (!v) explicit.push(c.name);
          } else if (podValue !== true) implicit.push(c.name);
        }
        if (podValue === false || explicit.length)
          return forbid(
            'runAsNonRoot != true',
            `${settersText(podValue === false, explicit)} must not set securityContext.runAsNonRoot=false`,
          );
        if (implicit.length)
          return forbid('runAsNonRoot != true', `pod or ${containersText(implicit)} must set securityContext.runAsNonRoot=true`);
        return ALLOWED;
      },
    },
  ],
};

export const runAsUser: Check = {
  id: 'runAsUser',
  level: 'restricted',
  versions: [
    {
      minimumVersion: v1(23),
      check: (_meta, spec) => {
        const pod = spec.securityContext?.runAsUser === 0;
        const bad = allContainers(spec)
          .filter((c) => c.securityContext?.runAsUser === 0)
          .map((c) => c.name);
        return pod || bad.length ? forbid('runAsUser=0', `${settersText(pod, bad)} must not set runAsUser=0`) : ALLOWED;
      },
    },
  ],
};

/** Volume sources a restricted pod may use: none reaches the host's files or a network filesystem directly. */
const ALLOWED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
] as const;
/** The restricted sources, in the order upstream names the first one a volume has. */
const RESTRICTED_VOLUMES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
] as const;

const has = (v: Volume, key: string) => (v as unknown as Record<string, unknown>)[key] != null;

export const restrictedVolumes: Check = {
  id: 'restrictedVolumes',
  level: 'restricted',
  versions: [
    {
      minimumVersion: v1(0),
      overrides: [HOST_PATH_VOLUMES],
      check: (_meta, spec) => {
        const bad: string[] = [];
        const types: string[] = [];
        for (const v of spec.volumes ?? []) {
          if (ALLOWED_VOLUMES.some((k) => has(v, k))) continue;
          bad.push(v.name);
          types.push(RESTRICTED_VOLUMES.find((k) => has(v, k)) ?? 'unknown');
        }
        if (!bad.length) return ALLOWED;
        const unique = sortedSet(types);
        return forbid(
          'restricted volume types',
          `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize(
            'restricted volume type',
            'restricted volume types',
            unique.length,
          )} ${joinQuote(unique)}`,
        );
      },
    },
  ],
};

function seccompRestricted(spec: PodSpec) {
  const explicit = explicitSeccompViolation(spec);
  if (explicit) return explicit;
  const podSet = validSeccompType(spec.securityContext?.seccompProfile?.type);
  const implicit = podSet ? [] : allContainers(spec).filter((c) => c.securityContext?.seccompProfile == null);
  if (!implicit.length) return ALLOWED;
  return forbid(
    'seccompProfile',
    `pod or ${containersText(implicit.map((c) => c.name))} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
  );
}

const seccomp1_19: CheckFn = (_meta, spec) => seccompRestricted(spec);

export const seccompProfileRestricted: Check = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  versions: [
    { minimumVersion: v1(19), check: seccomp1_19, overrides: [SECCOMP_BASELINE] },
    { minimumVersion: v1(25), check: windowsExempt(seccomp1_19), overrides: [SECCOMP_BASELINE] },
  ],
};
