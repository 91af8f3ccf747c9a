// The ephemeral volume controller (upstream's, `--controllers ephemeral-volume`, ServiceAccount
// ephemeral-volume-controller): each generic ephemeral volume of a pod gets its claim
// `<pod>-<volume>` from the volume's template, owned by the pod, so that it is provisioned like any
// claim and goes with the pod (the garbage collector deletes it; pvc-protection holds it while the
// pod still runs). A claim of that name that the pod does not own is left alone and reported.

import type { PersistentVolumeClaim, Pod, Volume } from '../../api/gen/types.js';
import { persistentVolumeClaimKind } from '../../api/kinds/core/persistent-volume-claim.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectKey, splitObjectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';

const NAME = 'ephemeral-volume';
const exists = (e: unknown) => e instanceof StatusError && e.code === 409;

/** The claim upstream makes for a pod's ephemeral volume. */
export function ephemeralClaim(pod: Pod, v: Volume): PersistentVolumeClaim | undefined {
  const t = v.ephemeral?.volumeClaimTemplate;
  if (!t) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      ...(t.metadata?.labels ? { labels: { ...t.metadata.labels } } : {}),
      ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      name: `${pod.metadata.name ?? ''}-${v.name}`,
      namespace: pod.metadata.namespace ?? '',
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          name: pod.metadata.name ?? '',
          uid: pod.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: structuredClone(t.spec),
  };
}

export function startEphemeralVolumeController(deps: ControllerDeps): RunningController {
  const pods = deps.informers.for(podKind);
  const claims = deps.informers.for(persistentVolumeClaimKind);
  const queue = createWorkQueue<string>({ name: 'ephemeral_volume' });
  const onPod = (p: Pod) => {
    if (!p.metadata.deletionTimestamp && (p.spec?.volumes ?? []).some((v) => v.ephemeral)) queue.add(objectKey(p));
  };
  pods.addHandlers({ onAdd: onPod, onUpdate: (_o, p) => onPod(p) });
  // a claim deleted under a live pod is made again
  claims.addHandlers({
    onDelete: (c) => {
      const owner = c.metadata.ownerReferences?.find((r) => r.kind === 'Pod' && r.controller);
      if (owner) queue.add(`${c.metadata.namespace ?? ''}/${owner.name}`);
    },
  });

  async function sync(key: string): Promise<void> {
    const pod = pods.get(key);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const { namespace } = splitObjectKey(key);
    for (const v of pod.spec?.volumes ?? []) {
      const want = ephemeralClaim(pod, v);
      if (!want) continue;
      const have = claims.get(`${namespace}/${want.metadata.name ?? ''}`);
      if (have) {
        if (!have.metadata.ownerReferences?.some((r) => r.uid === pod.metadata.uid))
          deps.recorder?.event(
            pod,
            'Warning',
            'FailedBinding',
            `PVC ${namespace}/${want.metadata.name ?? ''} was not created for pod ${key} (pod is not owner)`,
          );
        continue;
      }
      try {
        await deps.client.resource(persistentVolumeClaimKind).namespace(namespace).create(want);
      } catch (e) {
        if (!exists(e)) throw e;
      }
    }
  }

  return runController({ name: NAME, log: deps.log.child(NAME), informers: [pods, claims], queue, workers: deps.workers ?? 2, sync });
}
