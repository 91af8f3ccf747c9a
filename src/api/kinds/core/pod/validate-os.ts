// PodSpec rules that depend on the operating system, with upstream's paths and messages: spec.os
// itself, the Linux-only fields a Windows pod may not set, the Windows options a Linux pod may not
// set, and the HostProcess rules (a pod is HostProcess as a whole, and shares the host network).
// Mixed fleets are where a wrong field is most likely; failing at create beats a pod that the
// node's runtime rejects or silently ignores.

import type { FieldError } from '../../../../base/errors.js';
import { forbidden, invalidValue, notSupported, required } from '../../../validation/index.js';
import type { Container, PodSpec as PodSpecT, SecurityContext } from '../../../gen/types.js';
import type { Unvalidated } from '../../../unvalidated.js';

type PodSpec = Unvalidated<PodSpecT>;
type ContainerSecurity = Unvalidated<SecurityContext> | undefined;
type PodContainers = Pick<PodSpec, 'securityContext' | 'initContainers' | 'containers' | 'ephemeralContainers'>;

const OS_NAMES = ['linux', 'windows'] as const;
const NOT_FOR_WINDOWS = 'cannot be set for a windows pod';
const NOT_FOR_LINUX = 'windows options cannot be set for a linux pod';

/** Every container with its path, in upstream's visiting order: init, regular, ephemeral. */
function eachContainer(spec: PodContainers, field: string, fn: (sc: ContainerSecurity, path: string) => void): void {
  const lists: Array<[string, ReadonlyArray<Pick<Unvalidated<Container>, 'securityContext'>> | undefined]> = [
    ['initContainers', spec.initContainers],
    ['containers', spec.containers],
    ['ephemeralContainers', spec.ephemeralContainers],
  ];
  for (const [key, list] of lists) (list ?? []).forEach((c, i) => fn(c.securityContext, `${field}.${key}[${i}]`));
}

function validateLinux(spec: PodSpec, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.securityContext?.windowsOptions) errs.push(forbidden(`${field}.securityContext.windowsOptions`, NOT_FOR_LINUX));
  eachContainer(spec, field, (sc, p) => {
    if (sc?.windowsOptions) errs.push(forbidden(`${p}.securityContext.windowsOptions`, NOT_FOR_LINUX));
  });
  return errs;
}

function validateWindows(spec: PodSpec, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const no = (path: string) => errs.push(forbidden(path, NOT_FOR_WINDOWS));
  const sc = spec.securityContext;
  const psc = `${field}.securityContext`;
  if (sc?.appArmorProfile) no(`${psc}.appArmorProfile`);
  if (sc?.seLinuxOptions) no(`${psc}.seLinuxOptions`);
  if (spec.hostUsers !== undefined) no(`${field}.hostUsers`);
  if (spec.hostPID === true) no(`${field}.hostPID`);
  if (spec.hostIPC === true) no(`${field}.hostIPC`);
  if (sc?.seccompProfile) no(`${psc}.seccompProfile`);
  if (sc?.fsGroup !== undefined) no(`${psc}.fsGroup`);
  if (sc?.fsGroupChangePolicy !== undefined) no(`${psc}.fsGroupChangePolicy`);
  if ((sc?.sysctls ?? []).length > 0) no(`${psc}.sysctls`);
  if (spec.shareProcessNamespace !== undefined) no(`${field}.shareProcessNamespace`);
  if (sc?.runAsUser !== undefined) no(`${psc}.runAsUser`);
  if (sc?.runAsGroup !== undefined) no(`${psc}.runAsGroup`);
  if (sc?.supplementalGroups !== undefined) no(`${psc}.supplementalGroups`);
  if (sc?.supplementalGroupsPolicy !== undefined) no(`${psc}.supplementalGroupsPolicy`);
  if (sc?.seLinuxChangePolicy !== undefined) no(`${psc}.seLinuxChangePolicy`);
  eachContainer(spec, field, (c, p) => {
    if (!c) return;
    const csc = `${p}.securityContext`;
    if (c.appArmorProfile) no(`${csc}.appArmorProfile`);
    if (c.seLinuxOptions) no(`${csc}.seLinuxOptions`);
    if (c.seccompProfile) no(`${csc}.seccompProfile`);
    if (c.capabilities) no(`${csc}.capabilities`);
    if (c.readOnlyRootFilesystem !== undefined) no(`${csc}.readOnlyRootFilesystem`);
    if (c.privileged !== undefined) no(`${csc}.privileged`);
    if (c.allowPrivilegeEscalation !== undefined) no(`${csc}.allowPrivilegeEscalation`);
    if (c.procMount !== undefined) no(`${csc}.procMount`);
    if (c.runAsUser !== undefined) no(`${csc}.runAsUser`);
    if (c.runAsGroup !== undefined) no(`${csc}.runAsGroup`);
  });
  return errs;
}

/**
 * spec.os and the per-OS field rules. Nothing is checked against an OS the pod does not declare:
 * as upstream, the rules apply only when spec.os.name says which OS the pod is for.
 */
export function validatePodOS(spec: PodSpec, field: string): FieldError[] {
  const os = spec.os;
  if (!os) return [];
  if (!os.name) return [required(`${field}.os.name`, 'cannot be empty')];
  if (os.name === 'linux') return validateLinux(spec, field);
  if (os.name === 'windows') return validateWindows(spec, field);
  return [notSupported(`${field}.os`, os.name, OS_NAMES)];
}

/**
 * HostProcess pods: a container's hostProcess may not contradict the pod's; if any container is
 * HostProcess (its own setting or inherited from the pod) all must be, and the pod must use the
 * host network. (Upstream also consults the cluster's allow-privileged policy; Tandem has none.)
 */
export function validateHostProcess(spec: PodSpec, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const podValue = spec.securityContext?.windowsOptions?.hostProcess;
  let containers = 0;
  let hostProcess = 0;
  eachContainer(spec, field, (sc, p) => {
    containers++;
    const own = sc?.windowsOptions?.hostProcess;
    if (podValue !== undefined && own !== undefined && podValue !== own) {
      errs.push(
        invalidValue(
          `${p}.securityContext.windowsOptions.hostProcess`,
          own,
          `pod hostProcess value must be identical if both are specified, was ${String(podValue)}`,
        ),
      );
    }
    if ((own ?? podValue) === true) hostProcess++;
  });
  if (hostProcess > 0) {
    if (hostProcess !== containers)
      errs.push(invalidValue(field, '', 'If pod contains any hostProcess containers then all containers must be HostProcess containers'));
    if (spec.hostNetwork !== true)
      errs.push(invalidValue(`${field}.hostNetwork`, false, 'hostNetwork must be true if pod contains any hostProcess containers'));
  }
  return errs;
}

/** True when every container of the pod runs as a HostProcess container (the pod's value or its own). */
export function isHostProcessPod(spec: PodContainers): boolean {
  const podValue = spec.securityContext?.windowsOptions?.hostProcess;
  let all = true;
  let any = false;
  eachContainer(spec, '', (sc) => {
    const v = (sc?.windowsOptions?.hostProcess ?? podValue) === true;
    all &&= v;
    any ||= v;
  });
  return any && all;
}
