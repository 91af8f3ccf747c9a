// Baseline checks on the kernel's protections a pod may turn off: AppArmor, SELinux options,
// seccomp Unconfined, /proc mount type and unsafe sysctls, with the versions where upstream
// widened the allowed sets (SELinux container_engine_t in 1.31, sysctls in 1.27, 1.29, 1.32).

import type { ObjectMeta, PodSpec, SELinuxOptions } from '../../../api/gen/types.js';
import type { Check, CheckFn } from './check.js';
import { ALLOWED, allContainers, containersText, forbid, joinQuote, pluralize, settersText, sortedSet } from './check.js';
import { v1 } from './levels.js';

export const SECCOMP_BASELINE = 'seccompProfile_baseline';

const quoted = (k: string, v: string) => `${k}=${JSON.stringify(v)}`;

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const allowedAppArmorType = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
const allowedAppArmorAnnotation = (v: string) => v === '' || v === 'runtime/default' || v.startsWith('localhost/');

function appArmor(meta: ObjectMeta, spec: PodSpec) {
  const values: string[] = [];
  const podProfile = spec.securityContext?.appArmorProfile;
  const pod = podProfile != null && !allowedAppArmorType(podProfile.type);
  if (pod) values.push(podProfile.type ?? '');
  const bad: string[] = [];
  for (const c of allContainers(spec)) {
    const p = c.securityContext?.appArmorProfile;
    if (p != null && !allowedAppArmorType(p.type)) {
      bad.push(c.name);
      values.push(p.type ?? '');
    }
  }
  const setters = settersText(pod, bad);
  const list = sortedSet(values);
  const annotations = Object.entries(meta.annotations ?? {})
    .filter(([k, v]) => k.startsWith(APPARMOR_ANNOTATION) && !allowedAppArmorAnnotation(v))
    .map(([k, v]) => quoted(k, v))
    .sort();
  const parts = setters ? [setters] : [];
  if (annotations.length) {
    list.push(...annotations);
    parts.push(pluralize('annotation', 'annotations', annotations.length));
  }
  if (!parts.length) return ALLOWED;
  return forbid(
    pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', list.length),
    `${parts.join(' and ')} must not set AppArmor profile type to ${joinQuote(list)}`,
  );
}

export const appArmorProfile: Check = { id: 'appArmorProfile', level: 'baseline', versions: [{ minimumVersion: v1(0), check: appArmor }] };

function seLinuxCheck(allowedTypes: ReadonlySet<string>): CheckFn {
  return (_meta, spec) => {
    const types: string[] = [];
    let user = false;
    let role = false;
    const valid = (o: SELinuxOptions) => {
      let ok = true;
      if (!allowedTypes.has(o.type ?? '')) {
        ok = false;
        types.push(o.type ?? '');
      }
      if (o.user) user = true;
      if (o.role) role = true;
      return ok && !o.user && !o.role;
    };
    const podOpts = spec.securityContext?.seLinuxOptions;
    const pod = podOpts != null && !valid(podOpts);
    const bad = allContainers(spec)
      .filter((c) => c.securityContext?.seLinuxOptions != null && !valid(c.securityContext.seLinuxOptions))
      .map((c) => c.name);
    if (!pod && !bad.length) return ALLOWED;
    const unique = sortedSet(types);
    const data = [
      ...(unique.length ? [`${pluralize('type', 'types', unique.length)} ${joinQuote(unique)}`] : []),
      ...(user ? ['user may not be set'] : []),
      ...(role ? ['role may not be set'] : []),
    ];
    return forbid('seLinuxOptions', `${settersText(pod, bad)} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`);
  };
}

const SELINUX_TYPES_1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];

export const seLinuxOptions: Check = {
  id: 'seLinuxOptions',
  level: 'baseline',
  versions: [
    { minimumVersion: v1(0), check: seLinuxCheck(new Set(SELINUX_TYPES_1_0)) },
    { minimumVersion: v1(31), check: seLinuxCheck(new Set([...SELINUX_TYPES_1_0, 'container_engine_t'])) },
  ],
};

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION = 'container.seccomp.security.alpha.kubernetes.io/';
const validSeccompAnnotation = (v: string) => v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
export const validSeccompType = (t: string | undefined) => t === 'Localhost' || t === 'RuntimeDefault';

/** Before v1.19 seccomp was chosen by annotations. */
function seccompAnnotations(meta: ObjectMeta, spec: PodSpec) {
  const annotations = meta.annotations ?? {};
  const bad: string[] = [];
  const podValue = annotations[SECCOMP_POD_ANNOTATION];
  if (podValue !== undefined && !validSeccompAnnotation(podValue)) bad.push(quoted(SECCOMP_POD_ANNOTATION, podValue));
  for (const c of allContainers(spec)) {
    const key = SECCOMP_CONTAINER_ANNOTATION + c.name;
    const v = annotations[key];
    if (v !== undefined && !validSeccompAnnotation(v)) bad.push(quoted(key, v));
  }
  const list = sortedSet(bad);
  return list.length
    ? forbid('seccompProfile', `forbidden ${pluralize('annotation', 'annotations', list.length)} ${list.join(', ')}`)
    : ALLOWED;
}

/** The explicit bad seccomp settings of a pod: shared with the restricted check. */
export function explicitSeccompViolation(spec: PodSpec) {
  const values: string[] = [];
  const podProfile = spec.securityContext?.seccompProfile;
  const pod = podProfile != null && !validSeccompType(podProfile.type);
  if (pod) values.push(podProfile.type ?? '');
  const bad: string[] = [];
  for (const c of allContainers(spec)) {
    const p = c.securityContext?.seccompProfile;
    if (p != null && !validSeccompType(p.type)) {
      bad.push(c.name);
      values.push(p.type ?? '');
    }
  }
  if (!pod && !bad.length) return undefined;
  return forbid(
    'seccompProfile',
    `${settersText(pod, bad)} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`,
  );
}

export const seccompProfileBaseline: Check = {
  id: SECCOMP_BASELINE,
  level: 'baseline',
  versions: [
    { minimumVersion: v1(0), check: seccompAnnotations },
    { minimumVersion: v1(19), check: (_meta, spec) => explicitSeccompViolation(spec) ?? ALLOWED },
  ],
};

export const procMount: Check = {
  id: 'procMount',
  level: 'baseline',
  versions: [
    {
      minimumVersion: v1(0),
      // (upstream relaxes this for user-namespaced pods only behind an alpha feature gate, off in 1.32)
      check: (_meta, spec) => {
        const bad: string[] = [];
        const types: string[] = [];
        for (const c of allContainers(spec)) {
          const t = c.securityContext?.procMount;
          if (t != null && t !== 'Default') {
            bad.push(c.name);
            types.push(t);
          }
        }
        if (!bad.length) return ALLOWED;
        return forbid('procMount', `${containersText(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`);
      },
    },
  ],
};

const SYSCTLS_1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [
  ...SYSCTLS_1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];

function sysctlCheck(allowed: readonly string[]): CheckFn {
  const safe = new Set(allowed);
  return (_meta, spec) => {
    const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !safe.has(n));
    return bad.length ? forbid('forbidden sysctls', bad.join(', ')) : ALLOWED;
  };
}

export const sysctls: Check = {
  id: 'sysctls',
  level: 'baseline',
  versions: [
    { minimumVersion: v1(0), check: sysctlCheck(SYSCTLS_1_0) },
    { minimumVersion: v1(27), check: sysctlCheck(SYSCTLS_1_27) },
    { minimumVersion: v1(29), check: sysctlCheck(SYSCTLS_1_29) },
    { minimumVersion: v1(32), check: sysctlCheck(SYSCTLS_1_32) },
  ],
};
