// Baseline checks on what a pod may take from its host: host namespaces, hostPath volumes, host
// ports, privileged containers and Windows HostProcess containers (all unchanged since v1.0).

import type { Check } from './check.js';
import { ALLOWED, allContainers, containersText, forbid, joinQuote, pluralize, settersText, sortedSet } from './check.js';
import { v1 } from './levels.js';

export const HOST_PATH_VOLUMES = 'hostPathVolumes';

export const hostNamespaces: Check = {
  id: 'hostNamespaces',
  level: 'baseline',
  versions: [
    {
      minimumVersion: v1(0),
      check: (_meta, spec) => {
        const used = [
          spec.hostNetwork ? 'hostNetwork=true' : '',
          spec.hostPID ? 'hostPID=true' : '',
          spec.hostIPC ? 'hostIPC=true' : '',
        ].filter(Boolean);
        return used.length ? forbid('host namespaces', used.join(', ')) : ALLOWED;
      },
    },
  ],
};

export const hostPathVolumes: Check = {
  id: HOST_PATH_VOLUMES,
  level: 'baseline',
  versions: [
    {
      minimumVersion: v1(0),
      check: (_meta, spec) => {
        const names = (spec.volumes ?? []).filter((v) => v.hostPath != null).map((v) => v.name);
        return names.length ? forbid('hostPath volumes', `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`) : ALLOWED;
      },
    },
  ],
};

export const hostPorts: Check = {
  id: 'hostPorts',
  level: 'baseline',
  versions: [
    {
      minimumVersion: v1(0),
      check: (_meta, spec) => {
        const bad: string[] = [];
        const ports: string[] = [];
        for (const c of allContainers(spec)) {
          const used = (c.ports ?? []).filter((p) => p.hostPort !== undefined && p.hostPort !== 0).map((p) => String(p.hostPort));
          if (used.length) bad.push(c.name);
          ports.push(...used);
        }
        if (!bad.length) return ALLOWED;
        const unique = sortedSet(ports);
        return forbid(
          'hostPort',
          `${containersText(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', unique.length)} ${unique.join(', ')}`,
        );
      },
    },
  ],
};

export const privileged: Check = {
  id: 'privileged',
  level: 'baseline',
  versions: [
    {
      minimumVersion: v1(0),
      check: (_meta, spec) => {
        const bad = allContainers(spec)
          .filter((c) => c.securityContext?.privileged === true)
          .map((c) => c.name);
        return bad.length ? forbid('privileged', `${containersText(bad)} must not set securityContext.privileged=true`) : ALLOWED;
      },
    },
  ],
};

export const windowsHostProcess: Check = {
  id: 'windowsHostProcess',
  level: 'baseline',
  versions: [
    {
      minimumVersion: v1(0),
      check: (_meta, spec) => {
        const bad = allContainers(spec)
          .filter((c) => c.securityContext?.windowsOptions?.hostProcess === true)
          .map((c) => c.name);
        const pod = spec.securityContext?.windowsOptions?.hostProcess === true;
        if (!pod && !bad.length) return ALLOWED;
        return forbid('hostProcess', `${settersText(pod, bad)} must not set securityContext.windowsOptions.hostProcess=true`);
      },
    },
  ],
};
