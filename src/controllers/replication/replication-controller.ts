// The ReplicationController controller: the ReplicaSet controller run over ReplicationControllers
// (as upstream does), each read as a ReplicaSet whose selector is its label map. Pods it creates
// are owned by v1 ReplicationController; it writes the RC's own status subresource.

import type { ReplicationController, ReplicationControllerStatus } from '../../api/gen/types.js';
import { replicationControllerKind } from '../../api/kinds/core/replication-controller.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import type { RunningController } from '../shared/run-controller.js';
import { startReplicaController, type ReplicaKind } from '../replicaset/index.js';

/** The RC as the ReplicaSet logic reads it. */
const replicationControllers: ReplicaKind<ReplicationController> = {
  name: 'replicationcontroller',
  kind: replicationControllerKind,
  ownerApiVersion: 'v1',
  ownerKind: 'ReplicationController',
  asReplicaSet: (rc) => {
    const spec = rc.spec ?? {};
    const selector = spec.selector ?? {};
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: rc.metadata,
      spec: {
        // an empty map selects nothing for an RC (validation refuses it), unlike an empty LabelSelector
        selector: Object.keys(selector).length
          ? { matchLabels: selector }
          : { matchExpressions: [{ key: 'x', operator: 'In', values: [] }] },
        ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
        ...(spec.minReadySeconds !== undefined ? { minReadySeconds: spec.minReadySeconds } : {}),
        ...(spec.template ? { template: spec.template } : {}),
      },
      ...(rc.status ? { status: rc.status } : {}),
    };
  },
  // the counters and the ReplicaFailure condition are the same fields in both kinds
  statusOf: (status) => ({ ...(status satisfies ReplicationControllerStatus), conditions: status.conditions ?? null }),
};

export function startReplicationController(deps: ControllerDeps): RunningController {
  return startReplicaController(deps, replicationControllers);
}
