// The ClusterRole aggregation controller: a ClusterRole with an aggregationRule holds the union of the
// rules of the ClusterRoles its selectors match (how `admin`, `edit` and `view` pick up the
// `aggregate-to-*` roles, and roles users add with those labels). Any ClusterRole change may change
// what some aggregated role gathers, so every change re-queues every aggregated role.

import type { ClusterRole } from '../../api/gen/types.js';
import { clusterRoleKind } from '../../api/kinds/rbac/role.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { aggregatedRules, needsUpdate } from './aggregation-decide.js';

const NAME = 'clusterrole-aggregation';

export function startClusterRoleAggregationController(deps: ControllerDeps): RunningController {
  const roles = deps.informers.for(clusterRoleKind);
  const queue = createWorkQueue<string>({ name: 'ClusterRoleAggregator' });
  const enqueueAggregated = () => {
    for (const r of roles.list()) if (r.aggregationRule) queue.add(r.metadata.name ?? '');
  };
  roles.addHandlers({ onAdd: enqueueAggregated, onUpdate: enqueueAggregated, onDelete: enqueueAggregated });

  async function sync(name: string): Promise<void> {
    const role = roles.get(name);
    if (!role?.aggregationRule) return;
    const want = aggregatedRules(role, roles.list());
    if (!needsUpdate(role, want)) return;
    const next: ClusterRole = { ...role, rules: want };
    try {
      await deps.client.resource(clusterRoleKind).update(next);
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return; // deleted meanwhile
      throw e; // a conflict is retried once the cache has the newer role
    }
  }

  return runController({ name: NAME, log: deps.log.child(NAME), informers: [roles], queue, workers: deps.workers ?? 1, sync });
}
