// The APIService objects of the group-versions this server serves itself: one `Local` APIService per
// built-in group-version (v1., v1.apps, v1.batch, …) with upstream's group and version priorities,
// marked Available, as kube-apiserver's auto-registration publishes them at start. Run at every start:
// missing ones are created, changed ones restored, ones for group-versions no longer served removed
// (only those this reconciler manages, recognised by upstream's automanaged label).

import type { APIService } from '../api/gen/types.js';
import { apiServiceKind } from '../api/kinds/apiregistration/apiservice.js';
import { kindsByGroupVersion } from '../api/kinds/index.js';
import { jsonEqual } from '../api/validation/field.js';
import { StatusError } from '../base/errors.js';
import type { RestClient } from '../client/rest-client.js';

const AUTOMANAGED = 'kube-aggregator.kubernetes.io/automanaged';

/** Upstream's priorities (kube-apiserver's aggregator); groups it does not list sort below them. */
const PRIORITIES: Readonly<Record<string, readonly [number, number]>> = {
  v1: [18000, 1],
  'apiregistration.k8s.io/v1': [18000, 15],
  'apps/v1': [17800, 15],
  'events.k8s.io/v1': [17750, 15],
  'authentication.k8s.io/v1': [17700, 15],
  'authorization.k8s.io/v1': [17600, 15],
  'autoscaling/v1': [17500, 15],
  'autoscaling/v2': [17500, 30],
  'batch/v1': [17400, 15],
  'certificates.k8s.io/v1': [17300, 15],
  'networking.k8s.io/v1': [17200, 15],
  'policy/v1': [17100, 15],
  'rbac.authorization.k8s.io/v1': [17000, 15],
  'storage.k8s.io/v1': [16800, 15],
  'admissionregistration.k8s.io/v1': [16700, 15],
  'apiextensions.k8s.io/v1': [16700, 15],
  'scheduling.k8s.io/v1': [16600, 15],
  'coordination.k8s.io/v1': [16500, 15],
  'node.k8s.io/v1': [16300, 15],
  'discovery.k8s.io/v1': [16200, 15],
  'flowcontrol.apiserver.k8s.io/v1': [16100, 21],
};
const OTHER: readonly [number, number] = [1000, 15];

/** The APIService object for one served group-version (`v1` or `group/version`). */
function localAPIService(groupVersion: string): APIService {
  const slash = groupVersion.indexOf('/');
  const group = slash < 0 ? '' : groupVersion.slice(0, slash);
  const version = slash < 0 ? groupVersion : groupVersion.slice(slash + 1);
  const [gpm, vp] = PRIORITIES[groupVersion] ?? OTHER;
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: `${version}.${group}`, labels: { [AUTOMANAGED]: 'onstart' } },
    spec: { ...(group ? { group } : {}), version, groupPriorityMinimum: gpm, versionPriority: vp },
  };
}

const isAvailable = (a: APIService): boolean => (a.status?.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True');

/** Creates, restores and marks Available the APIServices of `groupVersions` (default: every built-in one). */
export async function reconcileAPIServices(
  client: RestClient,
  groupVersions: readonly string[] = [...kindsByGroupVersion().keys()],
  now: () => Date = () => new Date(),
): Promise<void> {
  const api = client.resource(apiServiceKind);
  const wanted = new Map(groupVersions.map((gv) => [localAPIService(gv).metadata.name ?? '', localAPIService(gv)]));
  // one list answers which exist: a restart with nothing to change costs one request
  const existing = new Map((await api.list()).items.map((a) => [a.metadata.name ?? '', a]));
  for (const [name, want] of wanted) {
    let cur = existing.get(name);
    if (!cur) {
      try {
        cur = await api.create(want);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 409)) throw e;
        cur = await api.get(name);
      }
    } else if (cur.metadata.labels?.[AUTOMANAGED] && !jsonEqual(cur.spec, want.spec)) {
      cur = await api.update({ ...cur, spec: want.spec });
    }
    if (!isAvailable(cur)) {
      const condition = {
        type: 'Available',
        status: 'True',
        lastTransitionTime: now()
          .toISOString()
          .replace(/\.\d+Z$/, 'Z'),
        reason: 'Local',
        message: 'Local APIServices are always available',
      };
      await api.updateStatus({ ...cur, status: { conditions: [condition] } });
    }
  }
  for (const [name, a] of existing) {
    if (a.metadata.labels?.[AUTOMANAGED] === 'onstart' && !a.spec?.service && !wanted.has(name))
      await api.delete(name).catch(() => undefined);
  }
}
